"""gradflow: exact backpropagation through time for teaching recurrent networks."""
