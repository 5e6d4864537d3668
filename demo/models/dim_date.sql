/* ---
description: Calendar days that have orders
materialized: table
tests:
  - unique: date_key
--- */
SELECT DISTINCT CAST(updated_at AS date) AS date_key,
       extract(year FROM updated_at) AS year,
       extract(month FROM updated_at) AS month,
       extract(isodow FROM updated_at) AS weekday
FROM silver.orders_global
