import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Composer } from './components/composer';
import { ConversationView } from './components/conversation-view';
import { ModelControls } from './components/model-controls';
import { ModelPicker } from './components/model-picker';
import { ServerBanner } from './components/server-banner';
import { SettingsDialog } from './components/settings-dialog';
import { ThreadSidebar } from './components/thread-sidebar';
import { useConversation } from './hooks/use-conversation';
import { useHashRoute } from './hooks/use-hash-route';
import { useMediaQuery } from './hooks/use-media-query';
import { useServerStatus } from './hooks/use-server-status';
import { useStore } from './hooks/use-store';
import { createApiClient } from './lib/api-client';
import type { ReasoningEffort, SubmitInput } from './lib/api-types';
import { type DecideApproval, DecideApprovalContext } from './lib/approval-context';
import { resolveModelChoice } from './lib/model-choice';
import { readSettings, type Settings, writeSettings } from './lib/settings';
import { createThreadList } from './lib/thread-list';

/** The whole client: thread sidebar, the selected conversation and the composer. */
export function App() {
  const [settings, setSettings] = useState<Settings>(readSettings);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const updateSettings = useCallback((patch: Partial<Settings>) => {
    setSettings((current) => {
      const next = { ...current, ...patch };
      writeSettings(next);
      return next;
    });
  }, []);

  // one client for the page's life; it reads the token on every request
  const api = useMemo(() => createApiClient({ getToken: () => settingsRef.current.apiToken }), []);
  const threadList = useMemo(() => createThreadList(api), [api]);
  const threads = useStore(threadList.state);
  const [route, navigate] = useHashRoute();
  const threadId = route.view === 'thread' ? route.threadId : undefined;
  const conversation = useConversation(api, threadId);
  const conversationState = useStore(conversation.state);
  const [server, retryServer] = useServerStatus(api);
  const [settingsOpen, setSettingsOpen] = useState(false);

  const wide = useMediaQuery('(min-width: 900px)');
  const phone = useMediaQuery('(max-width: 600px)');
  const [sidebarChoice, setSidebarChoice] = useState<{ wide: boolean; open: boolean } | undefined>(undefined);
  // a choice made on one layout does not carry over to the other
  const sidebarOpen = sidebarChoice && sidebarChoice.wide === wide ? sidebarChoice.open : wide;
  const setSidebarOpen = (open: boolean) => setSidebarChoice({ wide, open });

  useEffect(() => {
    void threadList.refresh();
  }, [threadList]);

  const config = server.phase === 'ready' ? server.config : undefined;
  const choice = useMemo(
    () =>
      config
        ? resolveModelChoice(config, { providerId: settings.providerId, model: settings.model })
        : undefined,
    [config, settings.providerId, settings.model],
  );
  const blockedReason =
    config && choice && !choice.provider
      ? 'Sending is disabled until the server has a provider configured.'
      : undefined;

  const title =
    threads.threads.find((thread) => thread.id === threadId)?.title.trim() ||
    conversationState.thread?.title.trim() ||
    (threadId ? 'Untitled thread' : undefined);

  const testProviders = useMemo(
    () => new Set(config?.providers.filter((provider) => provider.testLlm).map((provider) => provider.id)),
    [config],
  );

  const send = async (prompt: string, replacesRunId?: string) => {
    const input: Omit<SubmitInput, 'threadId'> = { prompt };
    if (replacesRunId) input.replacesRunId = replacesRunId;
    if (choice?.provider) input.providerId = choice.provider.id;
    if (choice?.model) input.model = choice.model.id;
    const reasoningSupported = choice?.model ? choice.model.reasoning : true;
    if (settings.reasoning !== 'default' && reasoningSupported) input.reasoning = settings.reasoning;
    input.approval = settings.askBeforeTools ? 'ask-mutating' : 'auto';
    const result = await conversation.submit(input);
    if (threadId !== result.threadId) navigate({ view: 'thread', threadId: result.threadId });
    void threadList.refresh();
  };

  const decideApproval = useCallback<DecideApproval>(
    (runId, callId, decision, reason) => api.decideApproval(runId, callId, decision, reason),
    [api],
  );

  const sendRef = useRef(send);
  sendRef.current = send;
  // stable, so memoized turns do not re-render when the app does
  const replace = useCallback((runId: string, prompt: string) => sendRef.current(prompt, runId), []);

  // Escape closes the drawer on a phone layout and gives the focus back to its toggle
  const toggleRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (wide || !sidebarOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      setSidebarChoice({ wide, open: false });
      toggleRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [wide, sidebarOpen]);

  const closeDrawerOnPhone = () => {
    if (!wide) setSidebarOpen(false);
  };

  return (
    <div className={`app${sidebarOpen ? ' app-sidebar-open' : ''}`}>
      <a className="skip-link" href="#composer-input">
        Skip to the message box
      </a>
      <header className="topbar">
        <button
          ref={toggleRef}
          type="button"
          className="button-quiet sidebar-toggle"
          aria-expanded={sidebarOpen}
          aria-controls="sidebar"
          onClick={() => setSidebarOpen(!sidebarOpen)}
        >
          <span aria-hidden="true">☰</span> {sidebarOpen ? 'Hide threads' : 'Show threads'}
        </button>
        <h1 className="brand">Cody</h1>
        <span className="topbar-title" title={title}>
          {title ?? 'New conversation'}
        </span>
        <button type="button" className="button-quiet" onClick={() => setSettingsOpen(true)}>
          Settings
        </button>
      </header>
      <div className="layout">
        <ThreadSidebar
          id="sidebar"
          state={threads}
          selectedId={threadId}
          hidden={!sidebarOpen}
          onNew={async () => {
            const thread = await threadList.create();
            navigate({ view: 'thread', threadId: thread.id });
            closeDrawerOnPhone();
          }}
          onRename={async (id, newTitle) => {
            await threadList.rename(id, newTitle);
          }}
          onDelete={async (id) => {
            await threadList.remove(id);
            if (id === threadId) navigate({ view: 'new' }, { replace: true });
          }}
          onLoadMore={() => void threadList.loadMore()}
          onRetry={() => void threadList.refresh()}
          onNavigate={closeDrawerOnPhone}
        />
        {sidebarOpen && !wide ? (
          <button
            type="button"
            className="scrim"
            aria-label="Close the thread list"
            tabIndex={-1}
            onClick={() => setSidebarOpen(false)}
          />
        ) : null}
        <main className="main" id="main">
          <ServerBanner
            status={server}
            choice={choice}
            onRetry={retryServer}
            onOpenSettings={() => setSettingsOpen(true)}
          />
          <DecideApprovalContext.Provider value={decideApproval}>
            <ConversationView
              state={conversationState}
              title={title}
              onRetry={() => void conversation.reload()}
              testProviders={testProviders}
              onReplace={replace}
            />
          </DecideApprovalContext.Provider>
          <Composer
            lastRun={conversationState.runs.at(-1)}
            blockedReason={blockedReason}
            focusKey={threadId}
            onSend={(prompt) => send(prompt)}
            onStop={(runId) => conversation.cancel(runId)}
            askBeforeTools={settings.askBeforeTools}
            onAskBeforeTools={(askBeforeTools) => updateSettings({ askBeforeTools })}
          >
            <ModelControls
              compact={phone}
              summary={choice?.model ? `${choice.model.id}` : "Server's default model"}
            >
              <ModelPicker
                config={config}
                choice={choice}
                reasoning={settings.reasoning}
                disabled={false}
                onProvider={(providerId) => updateSettings({ providerId, model: undefined })}
                onModel={(model) => updateSettings({ providerId: choice?.provider?.id, model })}
                onReasoning={(reasoning: ReasoningEffort) => updateSettings({ reasoning })}
              />
            </ModelControls>
          </Composer>
        </main>
      </div>
      <SettingsDialog
        open={settingsOpen}
        apiToken={settings.apiToken}
        onClose={() => setSettingsOpen(false)}
        onSave={(apiToken) => {
          settingsRef.current = { ...settingsRef.current, apiToken };
          updateSettings({ apiToken });
          setSettingsOpen(false);
          retryServer();
          void threadList.refresh();
          void conversation.reload();
        }}
      />
    </div>
  );
}
