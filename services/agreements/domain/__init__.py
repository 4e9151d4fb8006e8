"""Pure rules of the law on international agreements: no framework imports."""
