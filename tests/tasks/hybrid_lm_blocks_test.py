"""Checks the hybrid-lm block library (tasks/hybrid-lm/program/model.py).

Every chunked or FFT form is compared with its step-by-step recurrence, the
MoE router with a dense reference, and every block with a causality probe.
Run: python3 -B tests/tasks/hybrid_lm_blocks_test.py [-v]
     python3 -B tests/tasks/hybrid_lm_blocks_test.py bench   (chunked vs loop timings)
"""
import os
import sys
import time
import unittest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tasks", "hybrid-lm", "program"))
import model  # noqa: E402

torch.set_num_threads(1)


def loop_decay_scan(q, k, v, log_a):
    """The definition: S_t = a_t S_{t-1} + k_t v_t^T, o_t = q_t . S_t."""
    b, h, t, n = q.shape
    state = q.new_zeros(b, h, n, v.shape[-1])
    outs = []
    for i in range(t):
        state = state * log_a[:, :, i, None, None].exp() + k[:, :, i, :, None] * v[:, :, i, None, :]
        outs.append((q[:, :, i, None, :] @ state).squeeze(-2))
    return torch.stack(outs, dim=2)


def loop_gated_delta(q, k, v, beta, log_a):
    """The definition: S_t = a_t (I - b k k^T) S_{t-1} + b k v^T, o_t = q_t . S_t."""
    b, h, t, n = q.shape
    state = q.new_zeros(b, h, n, v.shape[-1])
    outs = []
    for i in range(t):
        kt, bt = k[:, :, i], beta[:, :, i, None, None]
        state = state * log_a[:, :, i, None, None].exp()
        state = state - bt * kt[..., None] * (kt[..., None, :] @ state)
        state = state + bt * kt[..., None] * v[:, :, i, None, :]
        outs.append((q[:, :, i, None, :] @ state).squeeze(-2))
    return torch.stack(outs, dim=2)


def loop_s4d(u, abar, bbar, c):
    """The diagonal SSM step by step: h_t = Abar h_{t-1} + Bbar u_t, y_t = 2 Re(C h_t)."""
    b, d, t = u.shape
    h = torch.zeros(b, d, abar.shape[-1], dtype=abar.dtype)
    ys = []
    for i in range(t):
        h = abar * h + bbar * u[:, :, i, None]
        ys.append(2 * (c * h).sum(-1).real)
    return torch.stack(ys, dim=-1)


def inputs(seed, b=2, h=3, t=45, n=8, p=6, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g, dtype=dtype)  # noqa: E731
    q, k, v = r(b, h, t, n), r(b, h, t, n), r(b, h, t, p)
    log_a = -torch.rand(b, h, t, generator=g, dtype=dtype) * 0.5
    beta = torch.rand(b, h, t, generator=g, dtype=dtype)
    return q, k, v, log_a, beta


class ChunkedFormsTest(unittest.TestCase):
    def test_decay_scan_matches_recurrence(self):
        for chunk in (1, 8, 16, 64):  # 45 is not a multiple: the padding path runs
            q, k, v, log_a, _ = inputs(chunk)
            got = model.chunked_decay_scan(q, k, v, log_a, chunk)
            torch.testing.assert_close(got, loop_decay_scan(q, k, v, log_a), rtol=1e-9, atol=1e-9)

    def test_linear_attention_without_decay_matches_recurrence(self):
        q, k, v, _, _ = inputs(5)
        zero = torch.zeros(q.shape[:3], dtype=q.dtype)
        got = model.chunked_decay_scan(q, k, v, zero, 16)
        torch.testing.assert_close(got, loop_decay_scan(q, k, v, zero), rtol=1e-9, atol=1e-9)

    def test_gated_delta_matches_recurrence(self):
        for chunk in (1, 8, 16, 64):
            q, k, v, log_a, beta = inputs(10 + chunk)
            k = torch.nn.functional.normalize(k, dim=-1)
            got = model.chunked_gated_delta(q, k, v, beta, log_a, chunk)
            want = loop_gated_delta(q, k, v, beta, log_a)
            torch.testing.assert_close(got, want, rtol=1e-8, atol=1e-8)

    def test_gated_delta_float32_and_gradients(self):
        q, k, v, log_a, beta = (x.float().requires_grad_() for x in inputs(3, t=64))
        kn = torch.nn.functional.normalize(k, dim=-1)
        got = model.chunked_gated_delta(q, kn, v, beta, log_a, 32)
        want = loop_gated_delta(q, kn, v, beta, log_a)
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
        grads = torch.autograd.grad(got.square().sum(), (q, k, v, log_a, beta), retain_graph=True)
        wants = torch.autograd.grad(want.square().sum(), (q, k, v, log_a, beta))
        for a, b in zip(grads, wants):
            torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-3)

    def test_s4d_fft_convolution_matches_recurrence(self):
        torch.manual_seed(0)
        conv = model.LongConv(6, modes=5).double()
        u = torch.randn(2, 6, 40, dtype=torch.float64)
        kernel, abar, bbar, c = model.s4d_kernel(conv.log_dt, conv.a_re, conv.a_im, conv.c_re,
                                                 conv.c_im, 40)
        got = model.fft_causal_conv(u, kernel)
        torch.testing.assert_close(got, loop_s4d(u, abar, bbar, c), rtol=1e-7, atol=1e-7)


class MoETest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(1)
        self.moe = model.MoE(16, 4, experts=4, top_k=2)
        self.x = torch.randn(3, 10, 16)

    def test_output_matches_dense_reference(self):
        got = self.moe(self.x)
        flat = self.x.reshape(-1, 16)
        probs = self.moe.router(flat).softmax(-1)
        weights, chosen = probs.topk(2, dim=-1)
        weights = weights / weights.sum(-1, keepdim=True)
        dense = torch.stack([e(flat) for e in self.moe.experts], dim=1)  # [N, E, D]
        want = (dense.gather(1, chosen[..., None].expand(-1, -1, 16)) * weights[..., None]).sum(1)
        torch.testing.assert_close(got.reshape(-1, 16), want, rtol=1e-5, atol=1e-6)

    def test_balance_loss_is_one_when_uniform_and_larger_when_skewed(self):
        with torch.no_grad():
            self.moe.router.weight.zero_()
        self.moe(self.x)  # uniform probabilities: f_e, P_e all 1/E (ties pick any)
        self.assertAlmostEqual(self.moe.aux_loss.item(), 1.0, places=5)
        with torch.no_grad():
            self.moe.router.weight.zero_()
            self.moe.router.weight[0].fill_(1.0)  # every token prefers expert 0
        x = self.x.abs()
        self.moe(x)
        self.assertGreater(self.moe.aux_loss.item(), 1.2)

    def test_balance_loss_trains_the_router(self):
        self.moe(self.x)
        grad = torch.autograd.grad(self.moe.aux_loss, self.moe.router.weight)[0]
        self.assertGreater(grad.abs().sum().item(), 0)


class CausalityTest(unittest.TestCase):
    def test_every_block_is_causal(self):
        for mixer, ffn in (("attn", "mlp"), ("linattn", "mlp"), ("delta", "mlp"), ("ssm", "mlp"),
                           ("conv", "mlp"), ("attn", "moe4")):
            with self.subTest(mixer=mixer, ffn=ffn):
                torch.manual_seed(2)
                net = model.ByteLM([mixer], ffn, 32).eval()
                x = torch.randint(0, 256, (2, 50))
                y = x.clone()
                y[:, 30:] = torch.randint(0, 256, (2, 20))
                with torch.no_grad():
                    a, b = net(x)[0], net(y)[0]
                torch.testing.assert_close(a[:, :30], b[:, :30], rtol=1e-4, atol=1e-4)
                self.assertGreater((a[:, 30:] - b[:, 30:]).abs().max().item(), 1e-4)


def bench():
    """Forward + backward time, chunked vs step-by-step, one thread, float32."""
    for t in (128, 512):
        q, k, v, log_a, beta = (x.float().requires_grad_() for x in inputs(0, b=16, h=4, t=t, n=16, p=16))
        kn = torch.nn.functional.normalize(k, dim=-1)
        cases = {
            "ssm scan": (lambda: model.chunked_decay_scan(q, k, v, log_a, 32),
                         lambda: loop_decay_scan(q, k, v, log_a)),
            "gated delta": (lambda: model.chunked_gated_delta(q, kn, v, beta, log_a, 32),
                            lambda: loop_gated_delta(q, kn, v, beta, log_a)),
        }
        for name, (chunked, loop) in cases.items():
            times = []
            for fn in (chunked, loop):
                fn().sum().backward(retain_graph=True)  # warm up
                start = time.perf_counter()
                for _ in range(3):
                    fn().sum().backward(retain_graph=True)
                times.append((time.perf_counter() - start) / 3)
            print(f"T={t:4d} {name:12s} chunked {times[0]*1e3:7.1f} ms  loop {times[1]*1e3:7.1f} ms"
                  f"  loop/chunked {times[1]/times[0]:.1f}x")


if __name__ == "__main__":
    if sys.argv[1:] == ["bench"]:
        bench()
    else:
        unittest.main()
