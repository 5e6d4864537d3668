/* ---
description: One row per order, pointing at its customer and day
owner: analytics@company.com
materialized: incremental
unique_key: order_id
tests:
  - unique: order_id
  - not_null: [order_id, date_key]
--- */
SELECT order_id, user_id AS customer_key, CAST(updated_at AS date) AS date_key,
       amount, currency, country, status
FROM silver.orders_global
