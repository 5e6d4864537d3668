-- String functions that mean the same in PostgreSQL and DuckDB, over unicode
-- (lengths and positions count characters), quotes, '' and NULL: length,
-- lower, upper, substr/substring, trim/ltrim/rtrim, || and concat (NULL
-- handling differs: || gives NULL, concat skips NULLs), replace, left,
-- right, starts_with, then lpad/rpad, split_part, repeat, strpos, position,
-- and the SQL-standard substring(.. FROM .. FOR ..) and trim(BOTH .. FROM ..).
SELECT customer_id, name, length(name) AS n, lower(name) AS lo, upper(name) AS up FROM silver.customers WHERE name LIKE 'Élodie%' OR name LIKE 'Zoë%' OR name LIKE 'O''Neil%';
SELECT order_id, note, length(note) AS n, upper(note) AS u, lower(note) AS l FROM silver.orders WHERE order_id BETWEEN 200 AND 230;
SELECT DISTINCT note, length(note) AS n, note = '' AS is_empty FROM silver.orders;
SELECT customer_id, substr(name, 1, 1) AS initial, substr(name, 3) AS rest, substring(name, 2, 3) AS mid FROM silver.customers WHERE customer_id <= 40;
SELECT substr('hello', 4, 10) AS a, substr('hello', 6) AS b, substr('Zoë x', 3, 1) AS c, substr('hello', 2, 0) AS d;
SELECT customer_id, trim(name) AS t, ltrim(segment, 'c') AS l, rtrim(segment, 'er') AS r FROM silver.customers WHERE customer_id <= 20;
SELECT trim('  a b  ') AS t, ltrim('  x') AS l, rtrim('x  ') AS r, length(trim('   ')) AS n;
SELECT customer_id, name || ' (' || coalesce(country, '?') || ')' AS label FROM silver.customers WHERE customer_id <= 30;
SELECT customer_id, country || '-' || segment AS k FROM silver.customers WHERE customer_id <= 60;
SELECT customer_id, concat(country, '-', segment) AS k, concat('#', customer_id) AS tag FROM silver.customers WHERE customer_id <= 60;
SELECT order_id, replace(note, ' ', '_') AS r, replace(status, 'a', '') AS s FROM silver.orders WHERE order_id <= 40;
SELECT category, length(category) AS n, upper(substr(category, 1, 1)) || substr(category, 2) AS title FROM silver.products WHERE product_id <= 12;
SELECT customer_id, left(name, 3) AS l, right(name, 2) AS r FROM silver.customers WHERE customer_id BETWEEN 100 AND 120;
SELECT customer_id FROM silver.customers WHERE lower(name) LIKE 'grace%' AND length(name) = 9;
SELECT starts_with(category, 'g') AS g, count(*) AS n FROM silver.products GROUP BY starts_with(category, 'g');
SELECT order_id, coalesce(nullif(note, ''), '(none)') AS note FROM silver.orders WHERE order_id <= 50;
SELECT 'abc' = 'abc ' AS a, length('') AS b, '' IS NULL AS c, length('Zoë') AS d, upper('élodie zoë') AS e, lower('ÉLODIE ZOË') AS f;
SELECT CAST(quantity AS VARCHAR) || 'x' AS q, count(*) AS n FROM silver.orders GROUP BY 1;
SELECT customer_id, lpad(CAST(customer_id AS VARCHAR), 5, '0') AS padded FROM silver.customers WHERE customer_id <= 15;
SELECT customer_id, rpad(segment, 12, '.') AS dotted FROM silver.customers WHERE customer_id <= 15;
SELECT split_part(name, ' ', 1) AS first_name, count(*) AS n FROM silver.customers GROUP BY split_part(name, ' ', 1);
SELECT repeat('ab', 3) AS a, length(repeat('é', 4)) AS b;
SELECT customer_id, strpos(name, '1') AS p FROM silver.customers WHERE customer_id BETWEEN 8 AND 30;
SELECT customer_id, position('o' IN segment) AS p FROM silver.customers WHERE customer_id <= 20;
SELECT customer_id, substring(name FROM 2 FOR 3) AS mid FROM silver.customers WHERE customer_id <= 20;
SELECT trim(BOTH 'x' FROM 'xxhixx') AS b, trim(LEADING 'x' FROM 'xxhixx') AS l, trim(TRAILING 'x' FROM 'xxhixx') AS t;
