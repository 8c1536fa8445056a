"""The invoicing service: invoices against purchase orders, their approval and payments."""
