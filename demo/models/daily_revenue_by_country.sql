/* ---
description: Revenue, orders and customers per day and country (cancelled orders excluded)
materialized: incremental
unique_key: [day, country]
tests:
  - unique: [day, country]
--- */
SELECT f.date_key AS day, f.country, count(*) AS orders, sum(f.amount) AS revenue,
       count(DISTINCT f.customer_key) AS customers
FROM gold.fact_orders f JOIN gold.dim_date d ON f.date_key = d.date_key
WHERE f.status <> 'cancelled'
GROUP BY f.date_key, f.country
