-- More NULL semantics and exact decimals: three-valued AND/OR/NOT over
-- columns and a full truth table, NULL through arithmetic, ||, CASE and
-- IN lists, COALESCE/NULLIF mixing types, NULL groups; sums of decimals stay
-- exact (DECIMAL(38,s)), decimal * int keeps the scale, decimal * decimal
-- adds scales, decimal / x is a double, decimal literals compare exactly.
SELECT order_id, amount, discount, amount > 100 AND discount > 0.2 AS both_big, amount > 100 OR discount > 0.2 AS either_big FROM silver.orders WHERE order_id <= 60;
WITH v AS (SELECT CAST(NULL AS BOOLEAN) AS b UNION ALL SELECT TRUE UNION ALL SELECT FALSE) SELECT x.b AS a, y.b AS b, x.b AND y.b AS a_and_b, x.b OR y.b AS a_or_b, NOT x.b AS not_a FROM v x CROSS JOIN v y;
SELECT NULL + 1 AS a, NULL * 2.5 AS b, 'x' || NULL AS c, NULL = 1 AS d, NULL IS NOT NULL AS e, coalesce(NULL, 'z') AS f;
SELECT order_id, coalesce(discount, 0.0) * quantity AS eff, coalesce(amount, 0) AS amt, coalesce(note, status, 'nothing') AS txt FROM silver.orders WHERE order_id <= 40;
SELECT order_id, nullif(amount, 0) AS amt, nullif(note, '') AS note, nullif(discount, 0) AS d FROM silver.orders WHERE (amount = 0 OR note = '') AND order_id <= 600;
SELECT CASE WHEN NULL THEN 'yes' ELSE 'no' END AS a, CASE NULL WHEN NULL THEN 'match' ELSE 'no match' END AS b, CASE WHEN 1 = 1 THEN NULL END AS c;
SELECT status, count(*) AS n FROM silver.orders WHERE status IN ('paid', NULL) GROUP BY status;
SELECT count(*) AS n FROM silver.orders WHERE NOT (status IN ('paid', NULL));
SELECT count(*) AS n, count(DISTINCT status) AS statuses, count(status) AS with_status FROM silver.orders WHERE status IS NULL OR status = 'pending';
SELECT max(CASE WHEN status IS NULL THEN order_id END) AS last_null, min(CASE WHEN status IS NULL THEN order_id END) AS first_null FROM silver.orders;
SELECT sum(amount) AS total, sum(amount * quantity) AS lines, sum(amount) * 2 AS twice, sum(amount) - sum(amount) AS zero FROM silver.orders;
SELECT customer_id, sum(amount) AS s, sum(amount * quantity) AS sq FROM silver.orders WHERE customer_id BETWEEN 100 AND 130 GROUP BY customer_id;
SELECT category, sum(price) AS s, sum(price * 3) AS s3, max(price) - min(price) AS spread FROM silver.products GROUP BY category;
SELECT order_id, amount * quantity AS line, amount * quantity * (1 - 0.25) AS discounted, amount + amount AS twice FROM silver.orders WHERE order_id <= 30;
SELECT 0.1 + 0.2 = 0.3 AS exact, 1.005 * 1000 AS m, 19.99 * 3 AS three, 100.00 / 8 AS eighth, 2.50 - 2.5 AS zero;
SELECT sum(credit_limit) AS s, sum(credit_limit) / count(credit_limit) AS manual_avg, avg(credit_limit) AS a FROM silver.customers;
SELECT order_id, CAST(amount AS DECIMAL(12,4)) AS wide, CAST(amount AS DECIMAL(6,1)) AS narrow FROM silver.orders WHERE order_id <= 20;
SELECT sum(discount) AS s, sum(discount * quantity) AS sq, avg(discount * amount) AS mixed FROM silver.orders;
SELECT count(*) AS n FROM silver.orders WHERE amount * quantity = 0;
SELECT order_id, amount FROM silver.orders WHERE amount IN (27.22, 34.550, 0, 50.96, 12.5, 485.8);
SELECT product_id, price FROM silver.products WHERE price IN (SELECT max(price) FROM silver.products UNION ALL SELECT min(price) FROM silver.products);
SELECT sum(CASE WHEN amount IS NULL THEN 1 ELSE 0 END) AS null_amounts, sum(CASE WHEN discount IS NULL THEN 1 ELSE 0 END) AS null_discounts FROM silver.orders;
SELECT coalesce(c.country, 'unknown') AS country, sum(o.amount) AS revenue FROM silver.orders o LEFT JOIN silver.customers c ON c.customer_id = o.customer_id GROUP BY 1;
SELECT order_id, quantity * amount - amount AS rest, amount * -1 AS neg, (amount + 0.005) * 2 AS shifted FROM silver.orders WHERE order_id <= 20;
SELECT status, sum(amount) AS s, avg(amount) AS a, sum(amount) / count(amount) AS manual FROM silver.orders GROUP BY status;
