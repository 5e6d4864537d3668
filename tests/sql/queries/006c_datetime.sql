-- Dates and timestamps (ts is a UTC timestamp, TIMESTAMPTZ in DuckDB;
-- signup_date a date): CAST to DATE, extract, date_trunc of each, interval
-- arithmetic in both spellings (INTERVAL 1 DAY, INTERVAL '1 day'), month
-- arithmetic clamping to the month's end, date +/- integer, date - date
-- (an integer number of days), comparisons with literals.
SELECT order_id, ts, CAST(ts AS DATE) AS d FROM silver.orders WHERE order_id <= 20;
SELECT extract(year FROM ts) AS y, extract(quarter FROM ts) AS q, count(*) AS n FROM silver.orders GROUP BY 1, 2;
SELECT extract(dow FROM ts) AS dow, count(*) AS n, sum(amount) AS revenue FROM silver.orders GROUP BY extract(dow FROM ts);
SELECT extract(hour FROM ts) AS h, count(*) AS n FROM silver.orders GROUP BY 1 ORDER BY 1;
SELECT date_trunc('month', ts) AS month, count(DISTINCT customer_id) AS buyers FROM silver.orders GROUP BY date_trunc('month', ts) ORDER BY month;
SELECT order_id, date_trunc('hour', ts) AS h, date_trunc('minute', ts) AS mi FROM silver.orders WHERE order_id <= 15;
SELECT date_trunc('year', signup_date) AS y, count(*) AS n FROM silver.customers GROUP BY 1;
SELECT customer_id, extract(year FROM signup_date) AS y, extract(month FROM signup_date) AS m, extract(day FROM signup_date) AS d, extract(dow FROM signup_date) AS dow, extract(doy FROM signup_date) AS doy FROM silver.customers WHERE customer_id <= 20;
SELECT order_id, ts + INTERVAL '1 day' AS next_day, ts - INTERVAL '90 minutes' AS before FROM silver.orders WHERE order_id <= 15;
SELECT order_id, ts + INTERVAL 3 HOUR AS later, ts + INTERVAL 1 MONTH AS next_month FROM silver.orders WHERE ts >= TIMESTAMP '2024-01-29 00:00:00' AND ts < TIMESTAMP '2024-02-01 00:00:00' ORDER BY order_id LIMIT 10;
SELECT order_id, ts - INTERVAL 1 MONTH AS prev_month, ts + INTERVAL 7 DAY AS next_week FROM silver.orders WHERE ts >= TIMESTAMP '2024-03-29 00:00:00' AND ts < TIMESTAMP '2024-04-01 00:00:00';
SELECT customer_id, signup_date, signup_date + 7 AS week_later, signup_date - 1 AS day_before FROM silver.customers WHERE customer_id <= 20;
SELECT customer_id, DATE '2024-12-31' - signup_date AS days_since, signup_date - DATE '2023-01-01' AS days_from_start FROM silver.customers WHERE customer_id <= 30;
SELECT CAST(o.ts AS DATE) - c.signup_date AS days_after_signup, count(*) AS n FROM silver.orders o JOIN silver.customers c ON o.customer_id = c.customer_id WHERE o.order_id <= 200 GROUP BY 1;
SELECT count(*) AS n FROM silver.orders o JOIN silver.customers c ON o.customer_id = c.customer_id WHERE CAST(o.ts AS DATE) - c.signup_date BETWEEN 0 AND 30;
SELECT min(ts) AS first_ts, max(ts) AS last_ts, min(CAST(ts AS DATE)) AS first_day FROM silver.orders WHERE status = 'pending';
SELECT order_id, ts FROM silver.orders WHERE ts >= TIMESTAMP '2024-12-31 12:00:00' ORDER BY ts, order_id;
SELECT CAST('2024-02-29' AS DATE) + 1 AS d1, DATE '2024-03-01' - DATE '2024-02-01' AS days, extract(year FROM DATE '2000-02-29') AS y, DATE '2024-03-01' - 1 AS d2;
SELECT extract(month FROM signup_date) AS m, count(*) AS n FROM silver.customers WHERE signup_date >= DATE '2024-01-01' GROUP BY 1;
SELECT date_trunc('week', signup_date) AS w, count(*) AS n FROM silver.customers GROUP BY 1 HAVING count(*) >= 3;
SELECT CAST(ts AS DATE) AS d, sum(amount) AS revenue FROM silver.orders WHERE ts < TIMESTAMP '2024-01-15 00:00:00' GROUP BY 1 ORDER BY d;
SELECT date_trunc('quarter', ts) AS q, sum(amount) AS revenue, avg(quantity) AS avg_qty FROM silver.orders GROUP BY 1 ORDER BY q;
SELECT customer_id, signup_date FROM silver.customers WHERE signup_date + 30 > DATE '2024-12-01' ORDER BY signup_date, customer_id;
SELECT count(*) AS n FROM silver.orders WHERE ts + INTERVAL '12 hours' >= TIMESTAMP '2025-01-01 00:00:00';
SELECT customer_id, signup_date + INTERVAL '1 month' AS a_month_later FROM silver.customers WHERE customer_id <= 10;
SELECT CAST(signup_date AS TIMESTAMP) AS midnight FROM silver.customers WHERE customer_id <= 5;
SELECT TIMESTAMP '2024-01-31 10:00:00' + INTERVAL 1 MONTH AS a, CAST('2024-05-06 07:08:09' AS TIMESTAMP) AS b;
