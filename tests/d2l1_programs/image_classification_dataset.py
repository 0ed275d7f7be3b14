# image-classification-dataset: the chapter's own FashionMNIST over torchvision (reading root='../data').
import time
from d2lutil import torch as d2l
import torch
import torchvision
from torchvision import transforms

d2l.use_svg_display()
# %%
class FashionMNIST(d2l.DataModule):
    def __init__(self, batch_size=64, resize=(28, 28)):
        super().__init__()
        self.save_hyperparameters()
        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])
        self.train = torchvision.datasets.FashionMNIST(
            root=self.root, train=True, transform=trans, download=True)
        self.val = torchvision.datasets.FashionMNIST(
            root=self.root, train=False, transform=trans, download=True)

data = FashionMNIST(resize=(32, 32))
print('lengths', len(data.train), len(data.val))
print('shape', tuple(data.train[0][0].shape))
# %%
@d2l.add_to_class(FashionMNIST)
def text_labels(self, indices):
    labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
              'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [labels[int(i)] for i in indices]

@d2l.add_to_class(FashionMNIST)
def get_dataloader(self, train):
    data = self.train if train else self.val
    return torch.utils.data.DataLoader(data, self.batch_size, shuffle=train,
                                       num_workers=self.num_workers)

X, y = next(iter(data.val_dataloader()))
print(X.shape, X.dtype, y.shape, y.dtype)
# %%
@d2l.add_to_class(FashionMNIST)
def visualize(self, batch, nrows=1, ncols=8, labels=[]):
    X, y = batch
    if not labels:
        labels = self.text_labels(y)
    d2l.show_images(X.squeeze(1), nrows, ncols, titles=labels)

batch = next(iter(data.val_dataloader()))
data.visualize(batch)
# %%
fast = d2l.FashionMNIST(resize=(32, 32))
tic = time.time()
for X, y in fast.train_dataloader():
    continue
print('fast epoch', X.shape, f'{time.time() - tic:.2f} sec')
print('same first image', bool((fast.val[0][0] - data.val[0][0]).abs().max() < 0.05))
