-- More aggregation: aggregates of every column type per group, HAVING
-- without GROUP BY, conditional aggregation with CASE, aggregates over no
-- rows or only NULLs, grouping by expressions, dates and booleans, the FILTER
-- clause.
SELECT count(*) AS n, count(customer_id) AS with_customer, count(DISTINCT customer_id) AS customers FROM silver.orders;
SELECT country, count(*) AS n, count(credit_limit) AS with_limit, sum(credit_limit) AS total_limit, min(credit_limit) AS lo, max(credit_limit) AS hi FROM silver.customers GROUP BY country;
SELECT segment, avg(credit_limit) AS avg_limit FROM silver.customers GROUP BY segment;
SELECT status, sum(quantity) AS units, sum(amount) AS revenue, avg(discount) AS avg_discount FROM silver.orders GROUP BY status;
SELECT count(*) AS n FROM silver.orders HAVING count(*) > 1000;
SELECT count(*) AS n FROM silver.orders HAVING count(*) > 100000;
SELECT sum(CASE WHEN status = 'paid' THEN amount ELSE 0 END) AS paid, sum(CASE WHEN status = 'refunded' THEN amount ELSE 0 END) AS refunded FROM silver.orders;
SELECT count(CASE WHEN discount > 0.3 THEN 1 END) AS big_discounts, count(*) AS n FROM silver.orders;
SELECT sum(amount) AS s, avg(amount) AS a, min(amount) AS lo, max(amount) AS hi, count(amount) AS n FROM silver.orders WHERE amount IS NULL;
SELECT status, sum(discount) AS s, count(discount) AS n FROM silver.orders WHERE discount IS NULL GROUP BY status;
SELECT count(DISTINCT country) AS countries, count(DISTINCT segment) AS segments, count(DISTINCT signup_date) AS days FROM silver.customers;
SELECT count(DISTINCT customer_id * 100 + product_id) AS pairs FROM silver.orders;
SELECT extract(month FROM ts) AS m, count(DISTINCT customer_id) AS buyers FROM silver.orders GROUP BY extract(month FROM ts);
SELECT signup_date, count(*) AS n FROM silver.customers GROUP BY signup_date HAVING count(*) > 1;
SELECT CAST(ts AS DATE) AS d, count(*) AS n FROM silver.orders GROUP BY CAST(ts AS DATE) HAVING count(*) >= 22;
SELECT active, category, count(*) AS n, sum(price) AS total FROM silver.products GROUP BY active, category;
SELECT quantity, min(discount) AS lo, max(discount) AS hi, avg(discount) AS a FROM silver.orders GROUP BY quantity;
SELECT status, min(ts) AS first_ts, max(ts) AS last_ts FROM silver.orders GROUP BY status;
SELECT country, min(name) AS first_name, max(name) AS last_name FROM silver.customers GROUP BY country;
SELECT customer_id IS NULL AS anonymous, count(*) AS n FROM silver.orders GROUP BY customer_id IS NULL;
SELECT customer_id, count(*) AS n FROM silver.orders GROUP BY customer_id HAVING min(quantity) >= 4 AND count(*) >= 5;
SELECT customer_id, count(*) AS n FROM silver.orders GROUP BY customer_id HAVING sum(amount) IS NULL OR count(amount) < count(*) - 2;
SELECT status, count(*) AS n FROM silver.orders GROUP BY status HAVING avg(quantity) > 5;
SELECT country, segment, sum(credit_limit) AS s FROM silver.customers GROUP BY country, segment ORDER BY country NULLS LAST, segment;
SELECT p.category, count(*) AS n FROM silver.products p GROUP BY p.category ORDER BY n DESC, p.category;
SELECT sum(quantity) AS units, sum(order_id) AS ids, sum(customer_id) AS custs, sum(product_id) AS prods FROM silver.orders;
SELECT avg(quantity) AS a, avg(customer_id) AS b, avg(discount) AS c FROM silver.orders WHERE status = 'pending';
SELECT min(discount) AS lo, max(discount) AS hi FROM silver.orders WHERE discount > 0;
SELECT min(note) AS lo, max(note) AS hi FROM silver.orders;
SELECT count(*) AS n FROM (SELECT DISTINCT customer_id, product_id FROM silver.orders) t;
SELECT count(*) AS n, sum(quantity) AS units FROM silver.orders WHERE order_id < 0 HAVING count(*) = 0;
SELECT customer_id, count(*) FILTER (WHERE status = 'paid') AS paid, count(*) AS n FROM silver.orders WHERE customer_id <= 20 GROUP BY customer_id;
SELECT category, string_agg(CAST(product_id AS VARCHAR), ',' ORDER BY product_id) AS ids FROM silver.products GROUP BY category;
