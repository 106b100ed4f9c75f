using Gate.V1;
using GateSidecar.Tests.Approvers;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GateConsole.Tests;

/// <summary>The approver console in a real browser against the whole sidecar (real Kestrel, SQLite).</summary>
public sealed class ConsoleTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);
    private readonly List<string> _pageErrors = [];
    private readonly List<IPage> _pages = [];
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var page in _pages)
        {
            await page.Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        await _sidecar.DisposeAsync();
        lock (_pageErrors)
        {
            Assert.True(_pageErrors.Count == 0, string.Join(Environment.NewLine, _pageErrors));
        }
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await browser.NewPageAsync(_sidecar.HttpAddress, _pageErrors);
        _pages.Add(page);
        await page.GotoAsync("/");
        return page;
    }

    private async Task<IPage> SignInAsync(string approver)
    {
        var page = await OpenAsync();
        await page.GetByLabel("Bearer token").FillAsync(approver + "-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync(approver);
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");
        return page;
    }

    private static ILocator Card(IPage page, string approvalId) => page.Locator($".card[data-approval-id='{approvalId}']");

    private async Task ScreenshotAsync(IPage page, string name, ILocator? element = null)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png");
        if (element is null)
        {
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        }
        else
        {
            // The sticky top bar would cover part of a card taller than the window (set through the
            // CSSOM: the content security policy refuses injected style sheets, as it should).
            await page.EvaluateAsync("() => { document.querySelector('.topbar').style.position = 'static'; }");
            await element.ScreenshotAsync(new() { Path = path });
            await page.EvaluateAsync("() => { document.querySelector('.topbar').style.position = ''; }");
        }
    }

    /// <summary>A refund as an agent would propose it, with the object's current state and its reasoning.</summary>
    private static CheckRequest Refund(double amount, string onBehalfOf = "zoe@example.com")
    {
        var request = ApproverSidecar.Refund(amount, onBehalfOf);
        request.Arguments.Fields["currency"] = Value.ForString("EUR");
        request.Current = new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(0),
                ["currency"] = Value.ForString("EUR"),
                ["customer_id"] = Value.ForString("c-42"),
            },
        };
        request.Context.Retrieved.Add("courier report #5521: parcel crushed");
        request.Context.Alternatives.Add(new Alternative { Summary = "Ship a replacement", WhyNot = "out of stock until next month" });
        return request;
    }

    /// <summary>A policy with realistic deadlines, for the screenshot in docs/console.png.</summary>
    private const string DocsPolicy = """
        version: "2026-11-21.1"
        defaults: { tier: single, pool: default, timeout: 30m, on_timeout: deny }
        pools:
          default: [alice, bob]
          finance: [alice, bob, erin]
          finance-leads: [carol, dave]
        rules:
          - id: large-refund
            match: { tool: payments.refund, args.amount: { gt: 500 } }
            tier: quorum
            quorum: 2
            pool: finance
            timeout: 45m
            on_timeout: escalate
            escalate_to: { pool: finance-leads, timeout: 1h, on_timeout: deny }
            impact: [args.amount, args.currency, args.customer_id]
        redact: [args.card_number]
        """;

    [Fact]
    public async Task QuorumCard_ShowsPriorDecisionsAndProgress()
    {
        await _sidecar.DisposeAsync();
        _sidecar = await ApproverSidecar.StartAsync(policyYaml: DocsPolicy);
        var id = await _sidecar.PendingAsync(Refund(900));
        await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve, Reason = "matches the courier report" }).WaitAsync(TestTimeouts.Default);

        var page = await SignInAsync("alice");
        var card = Card(page, id);
        await Expect(card.Locator(".quorum-progress")).ToHaveTextAsync("1 of 2 approvals");
        await Expect(card.Locator(".decisions")).ToContainTextAsync("bob approved — “matches the courier report”");
        await Expect(card.Locator(".countdown")).ToContainTextAsync("m ");
        await Expect(card.Locator(".impact")).ToContainTextAsync("args.currencyEUR");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeEnabledAsync();
        await ScreenshotAsync(page, "console");
    }

    [Fact]
    public async Task SignIn_WithAToken_ShowsTheApproverAndTheirPools()
    {
        var page = await SignInAsync("alice");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Alice (alice)");
        await Expect(page.Locator("#pools")).ToContainTextAsync("default, finance, ops");
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();
        Assert.Equal("alice-token", await page.EvaluateAsync<string>("() => sessionStorage.getItem('gate.token')"));

        // The token survives a reload of the tab (sessionStorage) and signing out forgets it.
        await page.ReloadAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync("Alice (alice)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("Bearer token")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('gate.token')"));
    }

    [Fact]
    public async Task SignIn_WithAWrongToken_IsRefused()
    {
        var page = await OpenAsync();
        await page.GetByLabel("Bearer token").FillAsync("mallory-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("Sign-in refused: unknown bearer token");
        await Expect(page.GetByLabel("Bearer token")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#nav")).ToBeHiddenAsync();
        await Expect(page.Locator("#view-pending")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('gate.token')"));
        await ScreenshotAsync(page, "sign-in-refused");
    }

    [Fact]
    public async Task GuardCall_AppearsLiveAsACardWithEverythingToDecide()
    {
        var page = await SignInAsync("alice");
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();

        var guard = _sidecar.Gate.Guard(Refund(900)).ReadAllAsync(StreamTimeout);
        var card = page.Locator(".card");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("1");

        await Expect(card.Locator("h2")).ToHaveTextAsync("payments.refund");
        await Expect(card.Locator(".why")).ToContainTextAsync("args.amount 900 > 500 (rule large-refund)");
        await Expect(card.Locator(".facts")).ToContainTextAsync("test-1");
        await Expect(card.Locator(".facts")).ToContainTextAsync("zoe@example.com");
        await Expect(card.Locator(".impact")).ToContainTextAsync("args.amount900");
        await Expect(card.Locator(".impact")).ToContainTextAsync("args.card_number***");
        await Expect(card.Locator("pre.json")).ToContainTextAsync("\"card_number\": \"***\"");
        await Expect(card.Locator("table.diff tr.changed")).ToContainTextAsync("amount");
        await Expect(card.Locator(".context")).ToContainTextAsync("My order arrived broken, please refund it");
        await Expect(card.Locator(".context")).ToContainTextAsync("The courier confirmed the damage on order 1182");
        await Expect(card.Locator(".alternatives")).ToContainTextAsync("Ship a replacement — not taken: out of stock until next month");
        await Expect(card.Locator(".countdown")).ToContainTextAsync("s left");
        await Expect(card.Locator(".quorum-progress")).ToHaveTextAsync("0 of 1 approvals");
        var html = await page.ContentAsync();
        Assert.DoesNotContain("4111111111111111", html);

        await ScreenshotAsync(page, "pending-page");
        await ScreenshotAsync(page, "pending-card", card);

        // Approving from the card answers the agent's stream.
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        var events = await guard;
        Assert.Equal((ApprovalState.Approved, "approver:alice"), (events[^1].State, events[^1].Actor));
        await Expect(card).ToHaveCountAsync(0);
        await Expect(page.Locator("#announce")).ToContainTextAsync("payments.refund");
    }

    [Fact]
    public async Task EditThenApprove_TheAgentReceivesTheEditedArguments()
    {
        var page = await SignInAsync("bob");
        var guard = _sidecar.Gate.Guard(Refund(900)).ReadAllAsync(StreamTimeout);
        var card = page.Locator(".card");
        await Expect(card).ToHaveCountAsync(1);

        await card.GetByRole(AriaRole.Button, new() { Name = "Edit & approve" }).ClickAsync();
        var editor = card.GetByLabel("Arguments to execute (JSON)");
        await Expect(editor).ToBeFocusedAsync();
        var submit = card.GetByRole(AriaRole.Button, new() { Name = "Approve edited call" });

        await editor.FillAsync("{ \"amount\": 750, ");
        await Expect(card.Locator($"#{await editor.GetAttributeAsync("id")}-status")).ToContainTextAsync("Invalid JSON");
        await Expect(editor).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(submit).ToBeDisabledAsync();

        await editor.FillAsync("{\n  \"amount\": 750,\n  \"currency\": \"EUR\",\n  \"customer_id\": \"c-42\",\n  \"card_number\": \"***\"\n}");
        await Expect(submit).ToBeEnabledAsync();
        var changed = card.Locator(".live-diff tr.changed");
        await Expect(changed).ToHaveCountAsync(1);
        await Expect(changed).ToContainTextAsync("amount900750");
        await card.GetByLabel("Reason (optional)").FillAsync("partial refund: one item was fine");
        await ScreenshotAsync(page, "edit-then-approve", card);
        await submit.ClickAsync();

        var events = await guard;
        var approved = events[^1];
        Assert.Equal(ApprovalState.Approved, approved.State);
        Assert.True(approved.Approval.Edited);
        Assert.Equal(750, approved.Approval.FinalArguments.Fields["amount"].NumberValue);
        Assert.Equal("4111111111111111", approved.Approval.FinalArguments.Fields["card_number"].StringValue);
        Assert.Equal("partial refund: one item was fine", approved.Approval.Decisions[^1].Reason);
        await Expect(card).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Reject_WithoutAReason_IsBlockedAndChangesNothing()
    {
        var page = await SignInAsync("erin");
        var id = await _sidecar.PendingAsync(Refund(900));
        var card = Card(page, id);
        await Expect(card).ToBeVisibleAsync();

        await card.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        var form = card.Locator("form[id^='panel-reject']");
        await form.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Give a reason to reject: the agent and the audit trail keep it.");
        await Expect(form.GetByLabel("Reason for rejecting (required)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(form.GetByLabel("Reason for rejecting (required)")).ToBeFocusedAsync();

        var unchanged = await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default);
        Assert.Equal((ApprovalState.Pending, 1L), (unchanged.State, unchanged.Seq));

        await form.GetByLabel("Reason for rejecting (required)").FillAsync("the order was already refunded");
        await form.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Expect(card).ToHaveCountAsync(0);
        var rejected = await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default);
        Assert.Equal((ApprovalState.Rejected, "the order was already refunded"), (rejected.State, rejected.Decisions.Single().Reason));
    }

    [Fact]
    public async Task SecondApprover_SeesQuorumProgressLive()
    {
        var alice = await SignInAsync("alice");
        var bob = await SignInAsync("bob");
        var guard = _sidecar.Gate.Guard(Refund(20_000)).ReadAllAsync(StreamTimeout);
        var aliceCard = alice.Locator(".card");
        var bobCard = bob.Locator(".card");
        await Expect(aliceCard).ToHaveCountAsync(1);
        await Expect(bobCard.Locator(".quorum-progress")).ToHaveTextAsync("0 of 2 approvals");
        await Expect(bobCard.Locator(".badge.tier-quorum")).ToHaveTextAsync("quorum of 2");

        await aliceCard.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Expect(bobCard.Locator(".quorum-progress")).ToHaveTextAsync("1 of 2 approvals");
        await Expect(bobCard.Locator(".decisions")).ToContainTextAsync("alice approved");
        await Expect(aliceCard.Locator(".note")).ToHaveTextAsync("You approved this call; 1 more approval needed from others.");
        await Expect(aliceCard.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeDisabledAsync();
        await ScreenshotAsync(bob, "quorum-progress", bobCard);

        await bobCard.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        var events = await guard;
        Assert.Equal(ApprovalState.Approved, events[^1].State);
        Assert.Equal(["alice", "bob"], events[^1].Approval.Decisions.Select(d => d.Approver));
        await Expect(aliceCard).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task BatchApprove_ApprovesTheSelectedCardsOnly()
    {
        var page = await SignInAsync("alice");
        var first = await _sidecar.PendingAsync(Refund(900));
        var second = await _sidecar.PendingAsync(Refund(901));
        var third = await _sidecar.PendingAsync(Refund(902));
        await Expect(page.Locator(".card")).ToHaveCountAsync(3);

        await Card(page, first).Locator("input.select").CheckAsync();
        await Card(page, third).Locator("input.select").CheckAsync();
        await Expect(page.Locator("#batch-count")).ToHaveTextAsync("2 selected");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve 2 selected" }).ClickAsync();
        await Expect(page.Locator("#batch-result")).ToHaveTextAsync("2 approved.");
        await Expect(page.Locator(".card")).ToHaveCountAsync(1);
        await Expect(Card(page, second)).ToBeVisibleAsync();

        foreach (var (id, state) in new[] { (first, ApprovalState.Approved), (second, ApprovalState.Pending), (third, ApprovalState.Approved) })
        {
            Assert.Equal(state, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default)).State);
        }
    }

    [Fact]
    public async Task Keyboard_AloneSignsInAndApproves()
    {
        var page = await OpenAsync();
        await Expect(page.GetByLabel("Bearer token")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("carol-token");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");

        // A large refund escalated by finance reaches finance-leads (carol) at escalation level 1.
        var id = await _sidecar.PendingAsync(Refund(900));
        await _sidecar.As("erin").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Escalate, Reason = "above my limit" }).WaitAsync(TestTimeouts.Default);
        var card = Card(page, id);
        await Expect(card).ToBeVisibleAsync();
        await Expect(card.Locator(".badge.escalation")).ToHaveTextAsync("escalation level 1");

        // Tab from the card's selection box to its first action, then press Enter.
        await card.Locator("input.select").FocusAsync();
        var approve = card.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true });
        for (var i = 0; i < 20 && !await approve.EvaluateAsync<bool>("el => el === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(approve).ToBeFocusedAsync();
        Assert.True(await approve.EvaluateAsync<bool>("el => el.matches(':focus-visible')"));
        Assert.Equal("solid", await approve.EvaluateAsync<string>("el => getComputedStyle(el).getPropertyValue('outline-style')"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(card).ToHaveCountAsync(0);
        Assert.Equal(ApprovalState.Approved, (await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default)).State);
    }

    [Fact]
    public async Task HistoryAndRules_ShowRecentDecisionsAndRubberStampCandidates()
    {
        for (var i = 0; i < 5; i++)
        {
            var id = await _sidecar.PendingAsync(Refund(900 + i));
            await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WaitAsync(TestTimeouts.Default);
        }

        var rejected = await _sidecar.PendingAsync(Refund(20_000));
        await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = rejected, Verdict = DecisionVerdict.Reject, Reason = "above the monthly limit" }).WaitAsync(TestTimeouts.Default);

        var page = await SignInAsync("alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "History" }).ClickAsync();
        var rows = page.Locator("#history-table tbody tr");
        await Expect(rows).ToHaveCountAsync(6);
        await Expect(rows.First).ToContainTextAsync("above the monthly limit");
        await Expect(rows.First).ToContainTextAsync("rejected");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rules" }).ClickAsync();
        var large = page.Locator("#rules-table tr[data-rule='large-refund']");
        await Expect(large).ToContainTextAsync("100%");
        await Expect(large.Locator(".flag")).ToHaveTextAsync("Rubber-stamp candidate");
        await Expect(page.Locator("#rules-table tr[data-rule='huge-refund']")).ToContainTextAsync("fewer than 5 decisions");
        await ScreenshotAsync(page, "rules");
    }
}
