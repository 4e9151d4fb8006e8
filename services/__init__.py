"""Services of the international agreements system, one package each."""
