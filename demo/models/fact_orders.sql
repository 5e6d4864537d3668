/* ---
description: One row per order, pointing at its customer and day
owner: analytics@company.com
materialized: incremental
unique_key: order_id
tests:
  - unique: order_id
  - not_null: [order_id, date_key]
--- */
SELECT o.order_id, c.customer_key, CAST(o.updated_at AS date) AS date_key,
       o.amount, o.currency, o.country, o.status
FROM silver.orders_global o
LEFT JOIN gold.dim_customer c ON o.user_id = c.user_id
