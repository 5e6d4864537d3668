/* ---
description: One row per customer, keyed by customer_key
owner: analytics@company.com
materialized: table
tests:
  - unique: customer_key
  - not_null: customer_key
--- */
SELECT user_id AS customer_key, name, segment, signup_date
FROM silver.customers
