-- More filters: NULL tests on several columns, NOT IN with NULL, ranges over
-- dates and timestamps, LIKE with quotes and unicode, IS DISTINCT FROM,
-- IS [NOT] TRUE, LIKE .. ESCAPE, case-sensitive equality.
SELECT order_id FROM silver.orders WHERE amount IS NULL AND status IS NULL;
SELECT count(*) AS n FROM silver.orders WHERE discount IS NOT NULL AND note IS NULL;
SELECT order_id, customer_id FROM silver.orders WHERE customer_id > 300;
SELECT customer_id FROM silver.customers WHERE country IN ('JP', 'BR') AND segment NOT IN ('consumer');
SELECT customer_id FROM silver.customers WHERE country NOT IN ('DE', 'FR', 'US', 'GB', 'ES', 'IT');
SELECT count(*) AS n FROM silver.customers WHERE country NOT IN ('DE', NULL);
SELECT customer_id FROM silver.customers WHERE signup_date BETWEEN DATE '2024-02-01' AND DATE '2024-02-29';
SELECT order_id FROM silver.orders WHERE ts >= TIMESTAMP '2024-02-29 00:00:00' AND ts < TIMESTAMP '2024-03-01 00:00:00';
SELECT count(*) AS n FROM silver.orders WHERE ts < DATE '2024-02-01';
SELECT count(*) AS n FROM silver.orders WHERE ts BETWEEN '2024-06-01' AND '2024-06-30';
SELECT order_id FROM silver.orders WHERE quantity BETWEEN 3 AND 4 AND amount BETWEEN 490 AND 500;
SELECT count(*) AS n FROM silver.orders WHERE discount BETWEEN 0.1 AND 0.2;
SELECT customer_id, name FROM silver.customers WHERE name LIKE '%''%';
SELECT customer_id, name FROM silver.customers WHERE name LIKE 'O''Neil 2%';
SELECT order_id, note FROM silver.orders WHERE note LIKE '«%»' AND order_id <= 300;
SELECT customer_id FROM silver.customers WHERE name ILIKE 'GRACE%';
SELECT customer_id FROM silver.customers WHERE name NOT ILIKE '%a%';
SELECT count(*) AS n FROM silver.orders WHERE note LIKE '%';
SELECT count(*) AS n FROM silver.orders WHERE note LIKE '_%';
SELECT order_id FROM silver.orders WHERE (status = 'pending' OR status = 'refunded') AND NOT (quantity > 2) AND amount > 450;
SELECT count(*) AS n FROM silver.orders WHERE NOT (discount > 0.2);
SELECT count(*) AS n FROM silver.orders WHERE amount * quantity > 4000 AND discount < 0.1;
SELECT order_id FROM silver.orders WHERE customer_id = product_id AND quantity >= 8;
SELECT product_id FROM silver.products WHERE active = FALSE;
SELECT product_id, price FROM silver.products WHERE active AND price < 50;
SELECT count(*) AS n FROM silver.orders WHERE status = 'PAID';
SELECT count(*) AS n FROM silver.orders WHERE amount <> 0;
SELECT count(*) AS n FROM silver.orders WHERE status IS DISTINCT FROM 'paid';
SELECT count(*) AS n FROM silver.orders WHERE customer_id IS NOT DISTINCT FROM NULL;
SELECT count(*) AS n FROM silver.orders WHERE (discount > 0.2) IS NOT TRUE;
SELECT customer_id FROM silver.customers WHERE segment LIKE 'home!_%' ESCAPE '!' AND customer_id <= 60;
