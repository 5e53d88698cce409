"""Building the ranker's artefact: questions generated from the frames, training, calibration."""
