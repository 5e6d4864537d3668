-- Math and casts: abs, round(x, n) on doubles and decimals (decimals round
-- half away from zero and keep a decimal type), floor/ceil/ceiling, mod and
-- % (the sign follows the dividend), power/sqrt (doubles), sign, unary minus,
-- precedence, casts between numbers, strings, dates and booleans (casting a
-- fraction to an integer rounds; no .5 ties on doubles here, where engines
-- differ).
SELECT order_id, abs(amount - 300) AS a, abs(discount - 0.25) AS b, abs(quantity - 5) AS c FROM silver.orders WHERE order_id <= 25;
SELECT order_id, round(discount * quantity, 2) AS r2, round(discount * 7, 0) AS r0, round(amount * 1.005, 2) AS d2 FROM silver.orders WHERE order_id <= 25;
SELECT order_id, floor(amount) AS f, ceil(amount) AS c, floor(discount * 10) AS fd, ceiling(discount * 10) AS cd FROM silver.orders WHERE order_id <= 25;
SELECT order_id, quantity % 4 AS m, order_id % 7 AS m7, -quantity % 4 AS neg FROM silver.orders WHERE order_id <= 20;
SELECT abs(-7) AS a, sign(-3) AS b, sign(0) AS c, sign(-2.5) AS d, -7 % 3 AS e, 7 % -3 AS f;
SELECT order_id, power(discount, 2) AS p2, sqrt(discount) AS s, power(2.0, quantity) AS pq FROM silver.orders WHERE order_id <= 20;
SELECT sqrt(16.0) AS a, power(2, 10) AS b, power(9.0, 0.5) AS c, sqrt(2) AS d;
SELECT quantity, sqrt(quantity) AS s, power(quantity, 3) AS cube FROM silver.orders GROUP BY quantity;
SELECT order_id, CAST(discount * 100 AS INTEGER) AS pct FROM silver.orders WHERE order_id <= 30;
SELECT CAST('123' AS INTEGER) AS i, CAST('-45.67' AS DECIMAL(6,2)) AS d, CAST('2.5' AS DOUBLE) AS f, CAST(12 AS VARCHAR) AS s, CAST('true' AS BOOLEAN) AS b, CAST(1.239 AS DECIMAL(5,2)) AS r;
SELECT customer_id, CAST(credit_limit AS BIGINT) AS whole, CAST(credit_limit AS DOUBLE) AS dbl, CAST(credit_limit AS VARCHAR) AS txt FROM silver.customers WHERE customer_id <= 20;
SELECT customer_id, CAST(signup_date AS VARCHAR) AS s, CAST(CAST(signup_date AS VARCHAR) AS DATE) AS back FROM silver.customers WHERE customer_id <= 10;
SELECT CAST(active AS INTEGER) AS a, count(*) AS n FROM silver.products GROUP BY 1;
SELECT order_id, CAST(quantity AS DECIMAL(10,2)) * amount AS line, amount::DOUBLE * 1.1 AS d, CAST(quantity AS BIGINT) * 1000000000 AS big FROM silver.orders WHERE order_id <= 10;
SELECT order_id, 1.0 * quantity / 3 AS third, CAST(quantity AS DOUBLE) / 3 AS dthird, amount / quantity AS per_unit FROM silver.orders WHERE order_id <= 12;
SELECT -quantity AS neg, +quantity AS pos, -(amount) AS na, - discount AS nd FROM silver.orders WHERE order_id <= 5;
SELECT 2 + 3 * 4 - 6 / 2.0 AS a, (2 + 3) * (4 - 6) AS b, 10 % 4 * 2 AS c, -2 * -3 AS d, 2 * 3 + 4 * 5 AS e;
SELECT order_id * order_id * order_id AS cubed, order_id * 1000000 AS scaled FROM silver.orders WHERE order_id >= 4995;
SELECT order_id, greatest(quantity, 5) AS g, least(discount, 0.2) AS l, greatest(amount, 100) AS ga FROM silver.orders WHERE order_id <= 20;
SELECT round(123.456, 1) AS a, round(-123.456, 2) AS b, round(0.5) AS c, round(1.5) AS d, round(-0.5) AS e, round(2.675, 2) AS f;
SELECT floor(-2.5) AS a, ceil(-2.5) AS b, floor(2.5::DOUBLE) AS c, ceil(2.1::DOUBLE) AS d, abs(-2.5) AS e;
SELECT customer_id, round(credit_limit, 0) AS r0, round(credit_limit / 1000, 1) AS k FROM silver.customers WHERE customer_id <= 15;
SELECT order_id, mod(quantity, 4) AS m, mod(order_id, 7) AS m7 FROM silver.orders WHERE order_id <= 20;
SELECT mod(-7, 3) AS a, mod(7, -3) AS b;
SELECT customer_id, round(credit_limit, -3) AS thousands FROM silver.customers WHERE customer_id <= 15;
