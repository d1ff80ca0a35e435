// `ewstrigd service install|uninstall|run` on the Windows Service Control
// Manager (the shape of MPD src/win32/Win32Main.cxx). Compiled only on
// Windows; CI syntax-checks it with MinGW-w64 (tests/systemd/windows_syntax.sh).
//
// Threads: StartServiceCtrlDispatcher's thread runs service_main, which runs
// the daemon body; the SCM calls control_handler on the dispatcher thread.
// The handler never touches the daemon directly: it calls the controls the
// daemon registered (which post into its io_context) and returns at once.
#ifdef _WIN32

#include "service/platform_service.hpp"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace ewstrigd::service::platform {
namespace {

constexpr DWORD pending_hint_ms = 30000;             // SCM waits this long between checkpoints
constexpr auto pending_pulse = std::chrono::seconds(5);  // we bump the checkpoint more often than that

std::wstring widen(const std::string& s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0) MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
    return out;
}

std::string narrow(const std::wstring& s) {
    if (s.empty()) return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
    if (n > 0) WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n, nullptr, nullptr);
    return out;
}

std::string error_text(DWORD code) {
    wchar_t* buf = nullptr;
    const DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                   nullptr, code, 0, reinterpret_cast<wchar_t*>(&buf), 0, nullptr);
    std::wstring text = n > 0 && buf != nullptr ? std::wstring(buf, n) : L"error";
    if (buf != nullptr) LocalFree(buf);
    while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L'.')) text.pop_back();
    return narrow(text) + " (" + std::to_string(code) + ")";
}

// One argument quoted for CommandLineToArgvW: backslashes before a quote are doubled.
std::wstring quote_arg(const std::wstring& arg) {
    std::wstring out = L"\"";
    std::size_t backslashes = 0;
    for (wchar_t c : arg) {
        if (c == L'\\') {
            ++backslashes;
            continue;
        }
        out.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
        backslashes = 0;
        out += c;
    }
    out.append(backslashes * 2, L'\\');
    return out + L'"';
}

struct sc_handle_closer {
    void operator()(SC_HANDLE h) const noexcept { CloseServiceHandle(h); }
};
using sc_handle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, sc_handle_closer>;

// Lifecycle lines for the Application event log (source = service name).
// Daemon logs go where the configured logging sends them.
void log_event(const std::wstring& source, WORD type, const std::string& text) {
    HANDLE h = RegisterEventSourceW(nullptr, source.c_str());
    if (h == nullptr) return;
    const std::wstring w = widen(text);
    const wchar_t* strings[] = {w.c_str()};
    ReportEventW(h, type, 0, 0, nullptr, 1, 0, strings, nullptr);
    DeregisterEventSource(h);
}

// Everything service_main and the control handler share. One service per
// process, so the SCM's context-free ServiceMain finds it through `current`.
struct service_state {
    std::wstring name;
    daemon_main body;
    SERVICE_STATUS_HANDLE handle = nullptr;
    SERVICE_STATUS status{};
    std::mutex mutex;
    std::condition_variable changed;
    daemon_controls controls;  // set by the daemon once its loop runs; cleared when it returns
    bool stop_requested = false;
    int exit_code = 0;
};
service_state* current = nullptr;

// Caller holds st.mutex.
void report(service_state& st, DWORD state, int exit_code = 0) {
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    st.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    if (st.status.dwCurrentState != state) st.status.dwCheckPoint = 0;
    st.status.dwCurrentState = state;
    st.status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
        : state == SERVICE_STOP_PENDING ? 0
                                        : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;  // stop during start-up
    st.status.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    st.status.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
    st.status.dwWaitHint = pending ? pending_hint_ms : 0;
    st.status.dwCheckPoint = pending ? st.status.dwCheckPoint + 1 : 0;
    SetServiceStatus(st.handle, &st.status);
    st.changed.notify_all();
}

void request_stop(service_state& st) {
    std::function<void()> stop;
    {
        std::lock_guard lock(st.mutex);
        if (st.status.dwCurrentState == SERVICE_STOPPED) return;
        st.stop_requested = true;
        report(st, SERVICE_STOP_PENDING);
        stop = st.controls.stop;
    }
    if (stop) stop();  // outside the lock: it only posts into the loop
}

DWORD WINAPI control_handler(DWORD control, DWORD, LPVOID, LPVOID context) {
    auto& st = *static_cast<service_state*>(context);
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        request_stop(st);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE: {
        std::function<void()> reload;
        {
            std::lock_guard lock(st.mutex);
            reload = st.controls.reload;
        }
        if (reload) reload();
        return NO_ERROR;
    }
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI service_main(DWORD, LPWSTR*) {
    service_state& st = *current;
    st.handle = RegisterServiceCtrlHandlerExW(st.name.c_str(), control_handler, &st);
    if (st.handle == nullptr) {
        log_event(st.name, EVENTLOG_ERROR_TYPE, "RegisterServiceCtrlHandlerEx failed: " + error_text(GetLastError()));
        return;
    }
    {
        std::lock_guard lock(st.mutex);
        report(st, SERVICE_START_PENDING);
    }
    // While starting or stopping, keep telling the SCM we make progress, so a
    // slow config load or a long action grace period is not taken for a hang.
    bool done = false;
    std::thread pulse([&st, &done] {
        std::unique_lock lock(st.mutex);
        while (!done) {
            st.changed.wait_for(lock, pending_pulse);
            const DWORD s = st.status.dwCurrentState;
            if (!done && (s == SERVICE_START_PENDING || s == SERVICE_STOP_PENDING)) report(st, s);
        }
    });

    service_context ctx;
    ctx.started = [&st](daemon_controls controls) {
        std::function<void()> stop_now;
        {
            std::lock_guard lock(st.mutex);
            st.controls = std::move(controls);
            if (st.stop_requested) {
                stop_now = st.controls.stop;  // STOP arrived during start-up
            } else {
                report(st, SERVICE_RUNNING);
            }
        }
        if (stop_now) stop_now();
    };
    ctx.stopping = [&st] {
        std::lock_guard lock(st.mutex);
        if (st.status.dwCurrentState != SERVICE_STOP_PENDING) report(st, SERVICE_STOP_PENDING);
    };
    log_event(st.name, EVENTLOG_INFORMATION_TYPE, "starting");

    int rc = 1;
    try {
        rc = st.body(ctx);
    } catch (const std::exception& e) {
        log_event(st.name, EVENTLOG_ERROR_TYPE, std::string("stopped by an exception: ") + e.what());
    } catch (...) {
        log_event(st.name, EVENTLOG_ERROR_TYPE, "stopped by an unknown exception");
    }
    {
        std::lock_guard lock(st.mutex);
        st.controls = {};  // the loop is gone: late controls must not post into it
        done = true;
        st.exit_code = rc;
        st.changed.notify_all();
    }
    pulse.join();
    log_event(st.name, rc == 0 ? EVENTLOG_INFORMATION_TYPE : EVENTLOG_ERROR_TYPE,
              "stopped with exit code " + std::to_string(rc));
    std::lock_guard lock(st.mutex);
    report(st, SERVICE_STOPPED, rc);  // the process may end right after this call
}

}  // namespace

bool supported() noexcept { return true; }

int install(const install_options& options, std::ostream& out, std::ostream& err) {
    wchar_t exe[MAX_PATH];
    const DWORD len = GetModuleFileNameW(nullptr, exe, MAX_PATH);
    if (len == 0 || len == MAX_PATH) {
        err << "ewstrigd service install: cannot find our own executable: " << error_text(GetLastError()) << '\n';
        return 1;
    }
    std::wstring command = quote_arg(std::wstring(exe, len)) + L" service run";
    if (!options.config_file.empty()) command += L" -c " + quote_arg(widen(options.config_file));
    for (const auto& a : options.extra) command += L" " + quote_arg(widen(a));

    const sc_handle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
    if (!scm) {
        err << "ewstrigd service install: cannot open the service manager (run as Administrator?): "
            << error_text(GetLastError()) << '\n';
        return 1;
    }
    const std::wstring name = widen(options.name);
    const std::wstring display = widen(options.display_name);
    const std::wstring account = L"NT SERVICE\\" + name;  // virtual account: least privilege, its own ACL identity
    const sc_handle svc(CreateServiceW(scm.get(), name.c_str(), display.c_str(), SERVICE_CHANGE_CONFIG | SERVICE_START,
                                       SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                                       command.c_str(), nullptr, nullptr, nullptr, account.c_str(), nullptr));
    if (!svc) {
        err << "ewstrigd service install: CreateService " << options.name << ": " << error_text(GetLastError()) << '\n';
        return 1;
    }
    std::wstring description = L"Watches Exchange mailboxes over EWS and runs the actions of matching triggers.";
    SERVICE_DESCRIPTIONW desc{description.data()};
    ChangeServiceConfig2W(svc.get(), SERVICE_CONFIG_DESCRIPTION, &desc);
    // Restart=on-failure: restart after 5 s, also when we exit non-zero (not only on crashes).
    SC_ACTION actions[3] = {{SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 30000}};
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = 3600;
    failure.cActions = 3;
    failure.lpsaActions = actions;
    ChangeServiceConfig2W(svc.get(), SERVICE_CONFIG_FAILURE_ACTIONS, &failure);
    SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
    ChangeServiceConfig2W(svc.get(), SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag);
    out << "installed service " << options.name << " (automatic start, account NT SERVICE\\" << options.name
        << "); start it with: sc start " << options.name << '\n';
    return 0;
}

int uninstall(const std::string& name, std::ostream& out, std::ostream& err) {
    const sc_handle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!scm) {
        err << "ewstrigd service uninstall: cannot open the service manager (run as Administrator?): "
            << error_text(GetLastError()) << '\n';
        return 1;
    }
    const std::wstring wname = widen(name);
    const sc_handle svc(OpenServiceW(scm.get(), wname.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (!svc) {
        err << "ewstrigd service uninstall: " << name << ": " << error_text(GetLastError()) << '\n';
        return 1;
    }
    SERVICE_STATUS status{};
    if (ControlService(svc.get(), SERVICE_CONTROL_STOP, &status)) {
        out << "stop requested for " << name << '\n';
    }
    if (!DeleteService(svc.get())) {
        err << "ewstrigd service uninstall: DeleteService " << name << ": " << error_text(GetLastError()) << '\n';
        return 1;
    }
    out << "removed service " << name << " (it disappears once stopped)\n";
    return 0;
}

int run(const std::string& name, daemon_main body, std::ostream& err) {
    service_state st;
    st.name = widen(name);
    st.body = std::move(body);
    current = &st;
    SERVICE_TABLE_ENTRYW table[] = {{st.name.data(), service_main}, {nullptr, nullptr}};
    if (!StartServiceCtrlDispatcherW(table)) {
        const DWORD code = GetLastError();
        current = nullptr;
        if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            err << "ewstrigd service run: not started by the Service Control Manager; "
                   "use 'sc start " << name << "', or 'ewstrigd run' in a console\n";
            return 2;
        }
        err << "ewstrigd service run: StartServiceCtrlDispatcher: " << error_text(code) << '\n';
        return 1;
    }
    current = nullptr;
    return st.exit_code;
}

}  // namespace ewstrigd::service::platform

#endif  // _WIN32
