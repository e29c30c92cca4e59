"""DNS probing and diagnosis: which records SES expects, what each nameserver serves, why."""
