"""The send check: pure rules (`rules`) and the read that feeds them (`selectors`)."""
