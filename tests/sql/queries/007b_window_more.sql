-- More window functions with the default frame (whole partition without
-- ORDER BY; with ORDER BY, from the start to the current row and its peers):
-- row_number/rank/dense_rank per partition, lag/lead with offsets and
-- defaults over strings and timestamps, running sum/count, avg over a
-- partition mixed with row values, windows over aggregates and a top-N per
-- group; then explicit ROWS frames, first_value/last_value, ntile,
-- percent_rank and cume_dist.
SELECT customer_id, order_id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY ts, order_id) AS n FROM silver.orders WHERE customer_id BETWEEN 20 AND 25;
SELECT customer_id, order_id, quantity, rank() OVER (PARTITION BY customer_id ORDER BY quantity DESC) AS r, dense_rank() OVER (PARTITION BY customer_id ORDER BY quantity DESC) AS dr FROM silver.orders WHERE customer_id <= 5;
SELECT order_id, amount, rank() OVER (ORDER BY amount NULLS FIRST) AS r FROM silver.orders WHERE order_id <= 100;
SELECT order_id, status, lag(status) OVER (ORDER BY order_id) AS prev_status, lead(status, 1, 'none') OVER (ORDER BY order_id) AS next_status FROM silver.orders WHERE order_id <= 30;
SELECT customer_id, order_id, ts, lag(ts) OVER (PARTITION BY customer_id ORDER BY ts, order_id) AS prev_ts FROM silver.orders WHERE customer_id IN (7, 8, 9);
SELECT customer_id, order_id, amount, sum(amount) OVER (PARTITION BY customer_id ORDER BY order_id) AS running, count(*) OVER (PARTITION BY customer_id ORDER BY order_id) AS k FROM silver.orders WHERE customer_id <= 4;
SELECT customer_id, order_id, avg(amount) OVER (PARTITION BY customer_id) AS avg_amount, amount - avg(amount) OVER (PARTITION BY customer_id) AS diff FROM silver.orders WHERE customer_id BETWEEN 30 AND 33;
SELECT order_id, count(*) OVER () AS total, sum(quantity) OVER () AS units FROM silver.orders WHERE order_id <= 10;
SELECT category, product_id, price, rank() OVER (PARTITION BY category ORDER BY price DESC) AS r FROM silver.products;
SELECT * FROM (SELECT category, product_id, price, row_number() OVER (PARTITION BY category ORDER BY price DESC, product_id) AS rn FROM silver.products) t WHERE rn <= 2 ORDER BY category, rn;
SELECT country, customer_id, credit_limit, dense_rank() OVER (PARTITION BY country ORDER BY credit_limit DESC NULLS LAST) AS r FROM silver.customers WHERE segment = 'corporate';
SELECT m, revenue, lag(revenue) OVER (ORDER BY m) AS prev, revenue - lag(revenue) OVER (ORDER BY m) AS change FROM (SELECT extract(month FROM ts) AS m, sum(amount) AS revenue FROM silver.orders GROUP BY 1) t ORDER BY m;
SELECT status, quantity, count(*) AS n, sum(count(*)) OVER (PARTITION BY status) AS status_total FROM silver.orders GROUP BY status, quantity;
SELECT customer_id, order_id, min(ts) OVER (PARTITION BY customer_id) AS first_ts, max(amount) OVER (PARTITION BY customer_id) AS top FROM silver.orders WHERE customer_id BETWEEN 40 AND 42;
SELECT order_id, discount, sum(discount) OVER (ORDER BY order_id) AS running, avg(discount) OVER (ORDER BY order_id) AS running_avg FROM silver.orders WHERE order_id <= 30;
SELECT customer_id, order_id, row_number() OVER (ORDER BY customer_id NULLS FIRST, order_id) AS rn FROM silver.orders WHERE customer_id IS NULL OR customer_id <= 2;
SELECT product_id, order_id, quantity, sum(quantity) OVER (PARTITION BY product_id ORDER BY order_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3 FROM silver.orders WHERE product_id = 11;
SELECT order_id, amount, avg(amount) OVER (ORDER BY order_id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS smooth FROM silver.orders WHERE order_id <= 30;
SELECT customer_id, order_id, first_value(order_id) OVER (PARTITION BY customer_id ORDER BY order_id) AS first_order FROM silver.orders WHERE customer_id <= 3;
SELECT customer_id, order_id, last_value(order_id) OVER (PARTITION BY customer_id ORDER BY order_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_order FROM silver.orders WHERE customer_id <= 3;
SELECT order_id, ntile(4) OVER (ORDER BY order_id) AS quartile FROM silver.orders WHERE order_id <= 22;
SELECT order_id, quantity, percent_rank() OVER (ORDER BY quantity) AS pr, cume_dist() OVER (ORDER BY quantity) AS cd FROM silver.orders WHERE order_id <= 40;
