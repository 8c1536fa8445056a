"""The web portal: pages for people in a browser, on top of the gateway's public API."""
