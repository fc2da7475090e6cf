#pragma once

#include "core/inspector/SessionBackend.h"

#include <QWidget>

#include <atomic>
#include <memory>

class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace si::ui {

// The statistics tab: one scan of the store (on its worker thread and the pool; cancelable)
// drawn as four Qt Charts — sessions created per day, expiries coming up, the users with most
// sessions, and stored sizes against the 4 KB a single cookie can hold.
class StatisticsView : public QWidget {
    Q_OBJECT
public:
    explicit StatisticsView(QWidget *parent = nullptr);
    ~StatisticsView() override;

    void setBackend(std::shared_ptr<inspector::SessionBackend> backend);
    // Scans the store (again).
    void compute();
    void cancel();

Q_SIGNALS:
    void computed(const inspector::SessionStats &stats);
    void failed(const QString &message);

private:
    void show(const inspector::SessionStats &stats);
    void setComputing(bool computing);

    std::shared_ptr<inspector::SessionBackend> m_backend;
    std::shared_ptr<std::atomic_bool> m_stop;
    std::shared_ptr<std::atomic<qint64>> m_read; // sessions read by the running computation
    quint64 m_generation = 0;
    QLabel *m_summary;
    QPushButton *m_compute;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QChartView *m_created;
    QChartView *m_expiring;
    QChartView *m_topUsers;
    QChartView *m_sizes;
    QTimer *m_progressTick;
};

} // namespace si::ui
