"""Pure rules of the reports: conference cycles, what each agreement counts towards, regions."""
