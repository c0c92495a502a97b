"""Samples: microphone in, recognisers, rendered cues, earcons and the speaker out."""
