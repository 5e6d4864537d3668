-- NULL semantics and exact decimals.
SELECT NULL = NULL AS a, NULL <> 1 AS b, NULL AND FALSE AS c, NULL OR TRUE AS d, NOT NULL AS e;
SELECT 1 IN (1, NULL) AS a, 2 IN (1, NULL) AS b, 2 NOT IN (1, NULL) AS c, NULL IS NULL AS d;
SELECT order_id, amount + NULL AS x FROM silver.orders WHERE order_id <= 5;
SELECT 0.1 + 0.2 AS s, 1.10 * 3 AS m, 10.25 - 0.26 AS d;
SELECT sum(amount) AS exact_sum FROM silver.orders WHERE status = 'paid';
SELECT customer_id, sum(credit_limit) FROM silver.customers GROUP BY customer_id HAVING customer_id <= 20;
SELECT price * 3 AS p3, price * quantity_like AS pq FROM (SELECT price, product_id AS quantity_like FROM silver.products) t;
SELECT count(*) FROM silver.orders WHERE amount * 2 > 999.5;
SELECT order_id, amount * 1.5 AS a15 FROM silver.orders WHERE order_id <= 20;
SELECT max(amount * quantity) AS biggest_line FROM silver.orders;
SELECT status, count(*) FROM silver.orders GROUP BY status HAVING count(*) > 0;
SELECT coalesce(status, 'none') AS s, count(*) FROM silver.orders GROUP BY 1;
SELECT count(*) FROM silver.orders WHERE NOT (status = 'paid' OR amount > 100);
SELECT count(*) FROM silver.orders WHERE NOT (status = 'paid' AND amount > 100);
SELECT sum(quantity) FROM silver.orders WHERE customer_id IS NULL;
SELECT avg(amount) FILTERED FROM silver.orders WHERE amount IS NOT NULL;
