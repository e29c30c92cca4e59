"""The SES sync: claim a region and run (`run`), read SES (`fetch`), write rows (`apply`)."""
