-- Window functions.
SELECT order_id, row_number() OVER (ORDER BY order_id) AS rn FROM silver.orders WHERE order_id <= 30;
SELECT order_id, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY order_id) AS rn FROM silver.orders WHERE customer_id <= 10;
SELECT order_id, quantity, rank() OVER (ORDER BY quantity) AS r, dense_rank() OVER (ORDER BY quantity) AS d FROM silver.orders WHERE order_id <= 40;
SELECT order_id, customer_id, amount, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST) AS r FROM silver.orders WHERE customer_id <= 8;
SELECT order_id, lag(order_id) OVER (ORDER BY order_id) AS prev, lead(order_id) OVER (ORDER BY order_id) AS nxt FROM silver.orders WHERE order_id <= 25;
SELECT order_id, customer_id, lag(amount, 1) OVER (PARTITION BY customer_id ORDER BY order_id) AS prev_amount FROM silver.orders WHERE customer_id <= 6;
SELECT order_id, lead(quantity, 2, -1) OVER (ORDER BY order_id) AS q2 FROM silver.orders WHERE order_id <= 20;
SELECT order_id, customer_id, sum(amount) OVER (PARTITION BY customer_id) AS total FROM silver.orders WHERE customer_id <= 6;
SELECT order_id, customer_id, sum(quantity) OVER (PARTITION BY customer_id ORDER BY order_id) AS running FROM silver.orders WHERE customer_id <= 6;
SELECT order_id, count(*) OVER (PARTITION BY status) AS n, avg(amount) OVER (PARTITION BY status) AS a FROM silver.orders WHERE order_id <= 50;
SELECT order_id, quantity, sum(quantity) OVER (ORDER BY quantity) AS peers FROM silver.orders WHERE order_id <= 30;
SELECT status, n, rank() OVER (ORDER BY n DESC) AS r FROM (SELECT status, count(*) AS n FROM silver.orders GROUP BY status) t;
SELECT customer_id, sum(amount) AS s, rank() OVER (ORDER BY sum(amount) DESC) AS r FROM silver.orders WHERE customer_id <= 20 GROUP BY customer_id;
SELECT * FROM (SELECT order_id, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST, order_id) AS rn FROM silver.orders) t WHERE rn = 1 AND customer_id <= 40;
SELECT order_id, min(amount) OVER (PARTITION BY product_id) AS lo, max(amount) OVER (PARTITION BY product_id) AS hi FROM silver.orders WHERE product_id = 3;
SELECT p.category, sum(o.amount) AS s, sum(sum(o.amount)) OVER () AS grand FROM silver.orders o JOIN silver.products p ON o.product_id = p.product_id GROUP BY p.category;
