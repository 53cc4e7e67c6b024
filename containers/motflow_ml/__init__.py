"""motflow_ml: the SageMaker training, serving, processing and synthetic-data code of motflow.

Entry points (each honours the SageMaker container contracts, rooted at ``$MOTFLOW_OPT_ML``,
default ``/opt/ml``):

    python -m motflow_ml.train     training job
    python -m motflow_ml.serve     real-time / asynchronous endpoint (port 8080)
    python -m motflow_ml.process   processing job (batch tracking, evaluation)
    python -m motflow_ml.synth     synthetic MOTChallenge sequences
"""

__version__ = "0.1.0"
