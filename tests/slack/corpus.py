"""A handful of papers on distinct topics, enough for the content ranker to tell them apart."""

TOPICS = [
    ("Retrieval-augmented generation with long contexts", "retrieval generation documents"),
    ("Diffusion models for video synthesis", "diffusion video frames denoising"),
    ("Reinforcement learning from human feedback at scale", "rlhf reward model preference"),
    ("Sparse mixture of experts for language models", "experts routing sparse tokens"),
    ("Graph neural networks for molecules", "graph molecules message passing"),
    ("Efficient attention kernels on GPUs", "attention kernels memory bandwidth"),
    ("Speculative decoding for faster inference", "draft model verification decoding"),
]
