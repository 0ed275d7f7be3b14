# oo-design: add_to_class, HyperParameters, ProgressBoard, and the chapter's own skeleton classes.
import time
import numpy as np
from d2lutil import torch as d2l
import torch
from torch import nn
# %%
class A:
    def __init__(self):
        self.b = 1

a = A()
# %%
@d2l.add_to_class(A)
def do(self):
    print('Class attribute "b" is', self.b)

a.do()
# %%
class B(d2l.HyperParameters):
    def __init__(self, a, b, c):
        self.save_hyperparameters(ignore=['c'])
        print('self.a =', self.a, 'self.b =', self.b)
        print('There is no self.c =', not hasattr(self, 'c'))

b = B(a=1, b=2, c=3)
# %%
board = d2l.ProgressBoard('x')
for x in np.arange(0, 10, 0.1):
    board.draw(x, np.sin(x), 'sin', every_n=2)
    board.draw(x, np.cos(x), 'cos', every_n=10)
print('points', len(board.data['sin']), len(board.data['cos']))
# %%
class Module(d2l.nn_Module, d2l.HyperParameters):
    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = d2l.ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError

class DataModule(d2l.HyperParameters):
    def __init__(self, root='../data', num_workers=4):
        self.save_hyperparameters()

class Trainer(d2l.HyperParameters):
    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        self.save_hyperparameters()
        assert num_gpus == 0, 'No GPU support yet'

print('skeleton', Module().plot_train_per_epoch, DataModule().root, Trainer(3).max_epochs)
