"""nianbao's core: typed data, settings, indexes, retrieval and answering."""
