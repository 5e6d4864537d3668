-- More projection and ordering: every column type, qualified stars, DISTINCT
-- with NULLs, ORDER BY on nullable columns with explicit NULLS FIRST/LAST
-- (PostgreSQL and DuckDB differ on the default for DESC, so the corpus always
-- says which), ORDER BY expressions and columns not selected, LIMIT/OFFSET
-- edges.
SELECT customer_id, name, country, segment, signup_date, credit_limit FROM silver.customers WHERE customer_id <= 20;
SELECT * FROM silver.orders WHERE order_id BETWEEN 100 AND 120;
SELECT c.* FROM silver.customers AS c WHERE c.customer_id > 290;
SELECT order_id AS id, order_id + 1 AS next_id, order_id * 2 AS twice FROM silver.orders WHERE order_id <= 10;
SELECT DISTINCT segment FROM silver.customers ORDER BY segment;
SELECT DISTINCT country FROM silver.customers ORDER BY country NULLS FIRST;
SELECT DISTINCT country FROM silver.customers ORDER BY country DESC NULLS LAST;
SELECT DISTINCT status, quantity FROM silver.orders WHERE quantity <= 2;
SELECT DISTINCT note FROM silver.orders;
SELECT customer_id, credit_limit FROM silver.customers ORDER BY credit_limit NULLS FIRST, customer_id LIMIT 40;
SELECT customer_id, credit_limit FROM silver.customers ORDER BY credit_limit DESC NULLS FIRST, customer_id LIMIT 40;
SELECT customer_id, credit_limit FROM silver.customers ORDER BY credit_limit DESC NULLS LAST, customer_id DESC LIMIT 10 OFFSET 5;
SELECT order_id, discount FROM silver.orders ORDER BY discount ASC NULLS LAST, order_id LIMIT 10;
SELECT order_id, discount FROM silver.orders ORDER BY discount DESC NULLS LAST, order_id DESC LIMIT 10;
SELECT order_id, ts FROM silver.orders ORDER BY ts DESC, order_id LIMIT 10;
SELECT customer_id, signup_date FROM silver.customers ORDER BY signup_date, customer_id LIMIT 10 OFFSET 100;
SELECT order_id FROM silver.orders ORDER BY order_id LIMIT 0;
SELECT order_id FROM silver.orders ORDER BY order_id LIMIT 5 OFFSET 4998;
SELECT order_id FROM silver.orders ORDER BY order_id OFFSET 4995;
SELECT product_id, price FROM silver.products ORDER BY price * 2 DESC, product_id LIMIT 5;
SELECT name FROM silver.customers ORDER BY customer_id DESC LIMIT 5;
SELECT customer_id, segment FROM silver.customers WHERE customer_id <= 30 ORDER BY segment, customer_id DESC;
SELECT order_id FROM silver.orders WHERE order_id <= 12 ORDER BY CASE WHEN quantity > 5 THEN 0 ELSE 1 END, order_id;
SELECT 'it''s' AS quoted, 'Zoë «x»' AS unicode, '' AS empty, -5 AS neg, 2.50 AS dec;
SELECT TRUE AND FALSE AS a, TRUE OR FALSE AS b, NOT TRUE AS c, 3 > 2 AS d, 2 <= 1 AS e;
SELECT p.product_id, p.category AS "Category Name" FROM silver.products p WHERE p.product_id <= 5;
SELECT o.order_id, o.quantity, o.quantity * o.amount AS line_total FROM silver.orders AS o ORDER BY o.order_id LIMIT 20;
SELECT count(*) AS n FROM silver.products;
SELECT customer_id, name FROM silver.customers WHERE customer_id IN (5, 50, 150) ORDER BY customer_id DESC;
SELECT status AS s, quantity AS q FROM silver.orders ORDER BY s NULLS FIRST, q DESC, order_id LIMIT 25;
SELECT silver.products.product_id, silver.products.category FROM silver.products WHERE silver.products.product_id <= 3;
