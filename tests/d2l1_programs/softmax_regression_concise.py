# softmax-regression-concise: SoftmaxRegression as the chapter defines it, Classifier.loss replaced.
from d2lutil import torch as d2l
import torch
from torch import nn
from torch.nn import functional as F
torch.manual_seed(0)
# %%
class SoftmaxRegression(d2l.Classifier):
    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)

@d2l.add_to_class(d2l.Classifier)
def loss(self, Y_hat, Y, averaged=True):
    Y_hat = d2l.reshape(Y_hat, (-1, Y_hat.shape[-1]))
    Y = d2l.reshape(Y, (-1,))
    return F.cross_entropy(Y_hat, Y, reduction='mean' if averaged else 'none')
# %%
data = d2l.FashionMNIST(batch_size=256)
model = SoftmaxRegression(num_outputs=10, lr=0.1)
trainer = d2l.Trainer(max_epochs=MAX_EPOCHS)
trainer.fit(model, data)
print('val_acc', model.board.data['val_acc'][-1].y)
