"""The reporting service: read model of agreements and consultations, figures per cycle."""
