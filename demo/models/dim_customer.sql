/* ---
description: One row per customer; customer_key is a surrogate key stable across rebuilds
owner: analytics@company.com
materialized: table
unique_key: user_id
surrogate_key: customer_key
tests:
  - unique: customer_key
  - unique: user_id
  - not_null: user_id
--- */
SELECT user_id, name, segment, signup_date
FROM silver.customers
