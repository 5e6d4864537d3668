-- More joins: outer joins keeping unmatched rows on each side and their
-- NULLs, ON conditions versus WHERE filters, FULL JOIN with COALESCE keys,
-- self joins, joins on expressions and derived tables, NULL keys never
-- matching, implicit (comma) joins.
SELECT c.customer_id, c.name, o.order_id FROM silver.customers c JOIN silver.orders o ON c.customer_id = o.customer_id WHERE c.customer_id BETWEEN 10 AND 14;
SELECT c.customer_id, count(o.order_id) AS orders, sum(o.amount) AS spent FROM silver.customers c LEFT JOIN silver.orders o ON o.customer_id = c.customer_id GROUP BY c.customer_id;
SELECT c.country, count(DISTINCT c.customer_id) AS customers, count(o.order_id) AS orders FROM silver.customers c LEFT JOIN silver.orders o ON o.customer_id = c.customer_id GROUP BY c.country;
SELECT o.order_id, o.customer_id, c.customer_id AS cid FROM silver.customers c RIGHT JOIN silver.orders o ON o.customer_id = c.customer_id WHERE c.customer_id IS NULL;
SELECT o.customer_id, count(*) AS n FROM silver.orders o LEFT JOIN silver.customers c ON c.customer_id = o.customer_id WHERE c.customer_id IS NULL GROUP BY o.customer_id;
SELECT coalesce(c.customer_id, o.customer_id) AS id, count(o.order_id) AS orders, max(c.name) AS name FROM silver.customers c FULL OUTER JOIN silver.orders o ON c.customer_id = o.customer_id GROUP BY coalesce(c.customer_id, o.customer_id);
SELECT c.customer_id, o.order_id FROM silver.customers c FULL JOIN silver.orders o ON c.customer_id = o.customer_id AND o.quantity = 9 WHERE c.customer_id <= 5 OR (c.customer_id IS NULL AND o.order_id <= 50);
SELECT p.category, c.segment, sum(o.amount * o.quantity) AS revenue FROM silver.orders o JOIN silver.products p ON p.product_id = o.product_id JOIN silver.customers c ON c.customer_id = o.customer_id WHERE o.status = 'paid' AND p.active GROUP BY p.category, c.segment;
SELECT o.order_id, p.price, o.amount FROM silver.orders o JOIN silver.products p ON o.product_id = p.product_id WHERE o.amount < p.price * 0.02;
SELECT o.order_id, p.category, c.country FROM silver.orders o LEFT JOIN silver.products p ON p.product_id = o.product_id LEFT JOIN silver.customers c ON c.customer_id = o.customer_id WHERE o.order_id <= 60;
SELECT a.customer_id, a.signup_date, b.customer_id AS other FROM silver.customers a JOIN silver.customers b ON a.signup_date = b.signup_date AND a.customer_id < b.customer_id;
SELECT c.segment, p.category FROM (SELECT DISTINCT segment FROM silver.customers) c CROSS JOIN (SELECT DISTINCT category FROM silver.products) p;
SELECT count(*) AS n FROM silver.customers c CROSS JOIN silver.products p WHERE c.credit_limit < p.price;
SELECT c.customer_id, t.n FROM silver.customers c JOIN (SELECT customer_id, count(*) AS n FROM silver.orders GROUP BY customer_id) t ON t.customer_id = c.customer_id WHERE t.n >= 25;
SELECT count(*) AS n FROM silver.orders o JOIN silver.customers c ON o.customer_id = c.customer_id AND c.signup_date > CAST(o.ts AS DATE);
SELECT p.product_id, count(o.order_id) AS n FROM silver.products p LEFT JOIN silver.orders o ON o.product_id = p.product_id AND o.status = 'refunded' GROUP BY p.product_id;
SELECT p.product_id, count(o.order_id) AS n FROM silver.products p LEFT JOIN silver.orders o ON o.product_id = p.product_id WHERE o.status = 'refunded' GROUP BY p.product_id;
SELECT o.order_id, c.name FROM silver.orders o INNER JOIN silver.customers c ON o.customer_id = c.customer_id WHERE c.country IS NULL AND o.quantity = 9;
SELECT o1.order_id, o2.order_id AS next_order FROM silver.orders o1 JOIN silver.orders o2 ON o2.order_id = o1.order_id + 1 WHERE o1.customer_id = o2.customer_id;
SELECT c.name, o.order_id FROM silver.customers c, silver.orders o WHERE c.customer_id = o.customer_id AND o.amount > 499;
SELECT count(*) AS n FROM silver.orders o JOIN silver.products p ON o.product_id = p.product_id JOIN silver.customers c ON o.customer_id = c.customer_id WHERE p.category = 'toys' AND c.segment = 'corporate';
SELECT o.order_id, o.customer_id, c.customer_id AS cid FROM silver.orders o LEFT JOIN silver.customers c ON o.customer_id = c.customer_id WHERE o.customer_id IS NULL AND o.order_id < 500;
SELECT c.customer_id, p.product_id FROM silver.customers c JOIN silver.products p ON c.customer_id = p.product_id * 6 ORDER BY c.customer_id;
SELECT count(*) AS n, count(o.order_id) AS matched FROM silver.orders o RIGHT JOIN silver.products p ON o.product_id = p.product_id AND o.quantity > 100;
SELECT p.category, sum(o.quantity) AS units FROM silver.products p JOIN silver.orders o USING (product_id) GROUP BY p.category ORDER BY units DESC, p.category;
