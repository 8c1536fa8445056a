"""The suppliers service: supplier records, their portal status and tolerance."""
