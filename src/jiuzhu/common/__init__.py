"""Small, dependency-light helpers shared by every app: errors, money, ID numbers,
working days, masking and the access log."""
