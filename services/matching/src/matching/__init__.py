"""The matching service: matches submitted invoices against their purchase orders and issues verdicts."""
