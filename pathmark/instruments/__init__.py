"""Instruments: versioned questionnaire files (YAML data, never code), their parser and scoring."""
