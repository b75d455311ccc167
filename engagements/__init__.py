"""The label's engagements: the national referential (versioned), the indicators computed from the apps,
the officers' monthly manual measures, and the materialised monthly figures the results pages read."""
