"""Plumbing every supplier portal service depends on; holds no service's business rules."""
