"""The orders service: purchase orders, their status, and the quantities invoiced against them."""
