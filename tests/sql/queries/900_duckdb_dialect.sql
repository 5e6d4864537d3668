-- DuckDB behaviours outside standard SQL that tarn matches on purpose (moved
-- here from the portable files; PostgreSQL differs on each): '/' on two
-- integers is a DOUBLE division (7 / 2 = 3.5; PostgreSQL: 3); integer x / 0
-- and x % 0 are NULL and a double x / 0 is IEEE (Infinity) (PostgreSQL:
-- error "division by zero"); ends_with() and contains() (PostgreSQL has
-- neither).
SELECT 7 / 2 AS a, -7 % 3 AS b, 7 % -3 AS c, 5 / 0 AS d, 5 % 0 AS e;
SELECT order_id, discount / 0 AS z FROM silver.orders WHERE order_id <= 3;
SELECT customer_id, starts_with(name, 'A') AS a, ends_with(segment, 'er') AS e, contains(name, '1') AS c FROM silver.customers WHERE customer_id <= 30;
