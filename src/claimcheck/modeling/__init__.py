"""The sentence classifier: data, training, export, prediction, evaluation, benchmark."""
