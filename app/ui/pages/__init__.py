"""One module per wizard page. Pages show core results and send the customer's choices back."""
