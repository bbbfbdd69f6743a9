"""Semantic segmentation for fastai users, taught as a course: void-aware data, losses and metrics, U-Net/FCN/DeepLabV3/ICNet, fast inference"""

__version__ = "0.1.0"
