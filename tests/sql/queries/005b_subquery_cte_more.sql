-- More subqueries, CTEs and set operations: IN / NOT IN subqueries with and
-- without NULLs, correlated EXISTS / NOT EXISTS, nested subqueries, scalar
-- subqueries in SELECT and WHERE, CTE chains and a CTE used twice, UNION with
-- NULLs and ORDER BY, EXCEPT / INTERSECT; last, a correlated scalar subquery.
SELECT customer_id, name FROM silver.customers WHERE customer_id IN (SELECT customer_id FROM silver.orders WHERE amount > 495);
SELECT customer_id FROM silver.customers WHERE customer_id NOT IN (SELECT customer_id FROM silver.orders WHERE quantity = 9 AND customer_id IS NOT NULL);
SELECT count(*) AS n FROM silver.customers WHERE customer_id NOT IN (SELECT customer_id FROM silver.orders);
SELECT product_id, category FROM silver.products WHERE product_id IN (SELECT product_id FROM silver.orders GROUP BY product_id HAVING sum(quantity) > 540);
SELECT c.customer_id, c.name FROM silver.customers c WHERE NOT EXISTS (SELECT 1 FROM silver.orders o WHERE o.customer_id = c.customer_id AND o.status = 'paid' AND o.quantity >= 6);
SELECT p.product_id FROM silver.products p WHERE EXISTS (SELECT 1 FROM silver.orders o WHERE o.product_id = p.product_id AND o.quantity = 9 AND o.amount > 490);
SELECT c.country, count(*) AS n FROM silver.customers c WHERE EXISTS (SELECT 1 FROM silver.orders o WHERE o.customer_id = c.customer_id AND o.ts >= TIMESTAMP '2024-12-01 00:00:00') GROUP BY c.country;
SELECT c.customer_id FROM silver.customers c WHERE EXISTS (SELECT 1 FROM silver.orders o WHERE o.customer_id = c.customer_id AND o.product_id IN (SELECT product_id FROM silver.products WHERE category = 'garden' AND NOT active));
SELECT order_id, amount FROM silver.orders WHERE amount >= (SELECT max(amount) FROM silver.orders WHERE status = 'refunded');
SELECT order_id, (SELECT max(price) FROM silver.products) AS max_price FROM silver.orders WHERE order_id <= 5;
SELECT t.customer_id, t.total FROM (SELECT customer_id, sum(amount) AS total FROM silver.orders WHERE customer_id IS NOT NULL GROUP BY customer_id) AS t WHERE t.total > (SELECT avg(amount) * 20 FROM silver.orders);
SELECT x.segment, x.n FROM (SELECT segment, count(*) AS n FROM (SELECT * FROM silver.customers WHERE country = 'DE') d GROUP BY segment) x;
WITH paid AS (SELECT * FROM silver.orders WHERE status = 'paid'), per_product AS (SELECT product_id, sum(amount) AS revenue, count(*) AS n FROM paid GROUP BY product_id) SELECT p.category, sum(pp.revenue) AS revenue, sum(pp.n) AS n FROM per_product pp JOIN silver.products p ON p.product_id = pp.product_id GROUP BY p.category;
WITH c AS (SELECT customer_id, country FROM silver.customers WHERE country IS NOT NULL) SELECT a.country, count(*) AS pairs FROM c a JOIN c b ON a.country = b.country AND a.customer_id < b.customer_id GROUP BY a.country;
WITH monthly AS (SELECT date_trunc('month', ts) AS m, sum(amount) AS revenue FROM silver.orders GROUP BY 1) SELECT m, revenue FROM monthly ORDER BY m;
WITH totals AS (SELECT customer_id, sum(amount) AS s FROM silver.orders WHERE customer_id IS NOT NULL GROUP BY customer_id) SELECT customer_id, s FROM totals WHERE s IS NOT NULL ORDER BY s DESC, customer_id LIMIT 10;
WITH a AS (SELECT 1 AS x UNION ALL SELECT 2), b AS (SELECT x * 10 AS y FROM a) SELECT a.x, b.y FROM a CROSS JOIN b;
SELECT status FROM silver.orders WHERE quantity = 1 UNION SELECT status FROM silver.orders WHERE quantity = 9;
SELECT status, quantity FROM silver.orders WHERE order_id <= 10 UNION ALL SELECT status, quantity FROM silver.orders WHERE order_id BETWEEN 5 AND 15;
SELECT customer_id AS id FROM silver.customers WHERE customer_id <= 3 UNION ALL SELECT product_id FROM silver.products WHERE product_id <= 3 ORDER BY id;
SELECT country AS label FROM silver.customers UNION SELECT category FROM silver.products UNION SELECT segment FROM silver.customers ORDER BY label NULLS LAST;
SELECT 'orders' AS t, count(*) AS n FROM silver.orders UNION ALL SELECT 'customers', count(*) FROM silver.customers UNION ALL SELECT 'products', count(*) FROM silver.products ORDER BY t;
SELECT u.k, count(*) AS n FROM (SELECT customer_id AS k FROM silver.orders UNION ALL SELECT customer_id FROM silver.customers) u GROUP BY u.k HAVING count(*) > 24;
SELECT order_id FROM silver.orders WHERE order_id <= 20 EXCEPT SELECT order_id FROM silver.orders WHERE status = 'paid';
SELECT product_id FROM silver.products WHERE active INTERSECT SELECT product_id FROM silver.orders WHERE quantity = 9 AND amount > 450;
SELECT c.customer_id, (SELECT count(*) FROM silver.orders o WHERE o.customer_id = c.customer_id) AS n FROM silver.customers c WHERE c.customer_id <= 10;
