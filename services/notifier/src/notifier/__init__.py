"""The notifier service: emails that people must receive, their delivery state and templates."""
