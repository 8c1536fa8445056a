-- One database and one role per service: each service can reach only its own database.
DO $$
DECLARE s text;
BEGIN
  FOREACH s IN ARRAY ARRAY['suppliers', 'orders', 'invoicing', 'matching', 'notifier', 'gateway', 'web'] LOOP
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', s, s || '-dev-password');
  END LOOP;
END $$;
CREATE DATABASE portal_suppliers OWNER suppliers;
CREATE DATABASE portal_orders OWNER orders;
CREATE DATABASE portal_invoicing OWNER invoicing;
CREATE DATABASE portal_matching OWNER matching;
CREATE DATABASE portal_notifier OWNER notifier;
CREATE DATABASE portal_gateway OWNER gateway;
CREATE DATABASE portal_web OWNER web;
REVOKE CONNECT ON DATABASE portal_suppliers, portal_orders, portal_invoicing, portal_matching, portal_notifier, portal_gateway, portal_web FROM PUBLIC;
GRANT CONNECT ON DATABASE portal_suppliers TO suppliers;
GRANT CONNECT ON DATABASE portal_orders TO orders;
GRANT CONNECT ON DATABASE portal_invoicing TO invoicing;
GRANT CONNECT ON DATABASE portal_matching TO matching;
GRANT CONNECT ON DATABASE portal_notifier TO notifier;
GRANT CONNECT ON DATABASE portal_gateway TO gateway;
GRANT CONNECT ON DATABASE portal_web TO web;
