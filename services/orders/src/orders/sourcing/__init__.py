"""Sourcing: the buyer's requests for proposals (RFPs), the suppliers' proposals and the award.

A context of its own beside purchase orders, in the same four layers and the same database. It
may use orders' shared pieces (the supplier and organisation read models, stored files, the
portal switch) and, for an award, the purchase order it creates; purchase orders never import it.
"""
